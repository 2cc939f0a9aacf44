package dev.weft.balance;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checks for every server of an {@link UpstreamGroup}, in the terms of nginx's
 * {@code check interval=... rise=... fall=... timeout=...}: every {@code interval} each server is
 * probed, a probe taking longer than {@code timeout} fails, {@code fall} failed probes in a row take
 * a server out, {@code rise} good ones in a row bring it back. Servers start in service.
 *
 * <p>The probe is a TCP connect ({@link #tcp()}) or an HTTP {@code GET} that must answer 2xx or 3xx
 * ({@link #http(String)}), with {@code Host} set to the server's address and
 * {@code Connection: close}.
 *
 * @param interval time between the starts of two rounds of probes
 * @param rise     good probes in a row that bring a server back
 * @param fall     failed probes in a row that take it out
 * @param timeout  the most one probe may take: connect, and for HTTP the status line too
 * @param httpPath the path an HTTP probe asks for, or null for a TCP connect
 */
public record HealthCheck(Duration interval, int rise, int fall, Duration timeout, String httpPath) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    public HealthCheck {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be 1 or more, were " + rise + " and " + fall);
        }
        if (httpPath != null && !httpPath.startsWith("/")) {
            throw new IllegalArgumentException("httpPath must start with /, was " + httpPath);
        }
        if (httpPath != null && httpPath.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new IllegalArgumentException("httpPath must be printable ASCII without spaces, was " + httpPath);
        }
    }

    /** A TCP connect every 5 seconds; out after 3 failures, back after 2 successes; 1 second timeout. */
    public static HealthCheck tcp() {
        return new HealthCheck(DEFAULT_INTERVAL, DEFAULT_RISE, DEFAULT_FALL, DEFAULT_TIMEOUT, null);
    }

    /** {@code GET path} with the same defaults as {@link #tcp()}; 2xx and 3xx are healthy. */
    public static HealthCheck http(String path) {
        return new HealthCheck(DEFAULT_INTERVAL, DEFAULT_RISE, DEFAULT_FALL, DEFAULT_TIMEOUT, path);
    }

    public HealthCheck withInterval(Duration value) {
        return new HealthCheck(value, rise, fall, timeout, httpPath);
    }

    public HealthCheck withRise(int value) {
        return new HealthCheck(interval, value, fall, timeout, httpPath);
    }

    public HealthCheck withFall(int value) {
        return new HealthCheck(interval, rise, value, timeout, httpPath);
    }

    public HealthCheck withTimeout(Duration value) {
        return new HealthCheck(interval, rise, fall, value, httpPath);
    }
}
