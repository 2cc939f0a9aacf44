package dev.weft.proxy;

import java.time.Duration;
import java.util.Objects;

/** The range checks the proxies' builders share. */
final class Settings {

    private Settings() {
    }

    /** {@code value}, if it is more than zero. */
    static Duration positive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + value);
        }
        return value;
    }

    /** {@code value}, if it is zero or more. */
    static int notNegative(int value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must be 0 or more, was " + value);
        }
        return value;
    }
}
