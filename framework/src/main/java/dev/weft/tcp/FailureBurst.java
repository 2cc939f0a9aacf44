package dev.weft.tcp;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The failures of a loop that must keep going whatever a call returns (the accept loop, the epoll
 * transport's pollers): the first failure of a burst is logged and the rest only counted, the loop
 * backs off between failures (10 ms, doubling, up to a second) so that a failure that repeats at
 * once does not spin, and the first success ends the burst, saying how many failures it had. The
 * next failure after that is logged again. A call interrupted by a signal (EINTR) is no failure: it
 * is tried again at once.
 *
 * <p>One thread uses an instance (the loop's own).
 */
final class FailureBurst {

    /** "Interrupted system call", the same on Linux and macOS. */
    static final int EINTR = 4;
    static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final System.Logger log;
    private final String what;
    private long failures;
    private long backoffNanos;

    /** {@code what} names the call in the line that ends a burst: "tcp: accept", "epoll_wait". */
    FailureBurst(System.Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    /**
     * Counts a failure, logs {@code message} at {@code level} if it is the first of its burst, and
     * returns how long the loop should wait before it tries again.
     */
    long failed(Level level, Supplier<String> message, Throwable thrown) {
        if (failures++ == 0) {
            log.log(level, message.get(), thrown);
        }
        backoffNanos = backoffNanos == 0 ? FIRST_BACKOFF_NANOS : Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
        return backoffNanos;
    }

    /**
     * For a system call that failed with {@code errno}: 0 (try again at once, nothing logged) for
     * EINTR, else as {@link #failed(Level, Supplier, Throwable)} at ERROR.
     */
    long failed(int errno, Supplier<String> message) {
        return errno == EINTR ? 0 : failed(Level.ERROR, message, null);
    }

    /** The call worked: ends a burst, logging at INFO how many failures it had. */
    void succeeded() {
        if (failures > 0) {
            log.log(Level.INFO, "{0} works again after {1} failures", what, failures);
            failures = 0;
            backoffNanos = 0;
        }
    }

    /** Failures in the current burst; 0 once a call has worked. */
    long failures() {
        return failures;
    }
}
