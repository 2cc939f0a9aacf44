package dev.weft.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The moment one HTTP exchange must be over, on the {@link System#nanoTime()} clock, with the
 * timeout it came from (for messages). Immutable. Every wait of the exchange (the pool's borrow,
 * the lookup, each connect, each read and write) is shortened to what is left of it.
 */
final class Deadline {

    private final long at;
    private final Duration timeout;

    private Deadline(long at, Duration timeout) {
        this.at = at;
        this.timeout = timeout;
    }

    /** A deadline {@code timeout} from now. */
    static Deadline after(Duration timeout) {
        // Odd, so never 0: PooledConnection keeps 0 for "no deadline".
        return new Deadline((System.nanoTime() + timeout.toNanos()) | 1, timeout);
    }

    /** The deadline as a {@link System#nanoTime()} value; never 0. */
    long nanos() {
        return at;
    }

    /** The timeout this deadline was made from. */
    Duration timeout() {
        return timeout;
    }

    /** Nanoseconds left; 0 or less once it has passed. */
    long leftNanos() {
        return at - System.nanoTime();
    }

    boolean passed() {
        return leftNanos() <= 0;
    }

    /** Whether what is left is shorter than {@code timeout}, so that a wait of {@code timeout} is cut to it. */
    boolean shorterThan(Duration timeout) {
        return leftNanos() < timeout.toNanos();
    }

    /**
     * The smaller of {@code timeout} and what is left, in whole milliseconds rounded up (at least 1,
     * as {@code Socket.connect} and {@code setSoTimeout} read 0 as "forever"), so that a wait cut
     * short by the deadline ends at it, not just before it.
     */
    int capMillis(Duration timeout) {
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNanos() + 999_999));
        return (int) Math.min(Integer.MAX_VALUE, Math.min(left, Math.max(1, timeout.toMillis())));
    }

    @Override
    public String toString() {
        return "total timeout of " + timeout.toMillis() + " ms";
    }
}
