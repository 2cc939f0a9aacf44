package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the accept loop and the epoll transport's pollers treat a call that keeps failing: EINTR is
 * tried again at once and never logged; any other failure is logged once per burst, not once per
 * call (a loop around a failing call would flood the log) and not once per process (a failure
 * that comes back an hour later is news), with a pause that grows to a second so that the loop
 * does not spin; the end of a burst is logged with its count.
 */
class FailureBurstTest {

    private static final System.Logger LOG = System.getLogger(FailureBurstTest.class.getName());
    private static final int EBADF = 9;

    private final LogCapture log = LogCapture.of(FailureBurstTest.class);
    private final FailureBurst burst = new FailureBurst(LOG, "epoll_wait");

    @AfterEach
    void tearDown() {
        log.close();
    }

    @Test
    void anInterruptedCallIsTriedAgainAtOnceAndSilently() {
        for (int i = 0; i < 1_000; i++) {
            assertEquals(0, burst.failed(FailureBurst.EINTR, () -> "interrupted"));
        }
        burst.succeeded();

        assertEquals(0, burst.failures());
        assertEquals(List.of(), log.lines());
    }

    @Test
    void aBurstIsLoggedOnceWithPausesThatGrowToASecond() {
        long[] pauses = new long[10_000];
        for (int i = 0; i < pauses.length; i++) {
            pauses[i] = burst.failed(EBADF, () -> "epoll_wait failed: Bad file descriptor");
        }

        assertEquals(List.of("epoll_wait failed: Bad file descriptor"), messages());
        assertEquals(java.util.logging.Level.SEVERE, log.lines().get(0).level()); // System.Logger's ERROR
        assertEquals(TimeUnit.MILLISECONDS.toNanos(10), pauses[0]);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(20), pauses[1]);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(640), pauses[6]);
        assertEquals(TimeUnit.SECONDS.toNanos(1), pauses[7]);
        assertEquals(TimeUnit.SECONDS.toNanos(1), pauses[pauses.length - 1]);
        assertEquals(pauses.length, burst.failures());
    }

    @Test
    void theEndOfABurstIsLoggedAndTheNextBurstIsLoggedAgain() {
        RuntimeException cause = new IllegalStateException("EMFILE");
        for (int i = 0; i < 3; i++) {
            burst.failed(Level.WARNING, () -> "accept failed", cause);
        }
        burst.succeeded();
        burst.succeeded(); // no burst to end: nothing logged
        long pause = burst.failed(EBADF, () -> "failed again, later");

        assertEquals(List.of("accept failed", "epoll_wait works again after 3 failures", "failed again, later"), messages());
        assertSame(cause, log.lines().get(0).thrown());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(10), pause, "a new burst pauses briefly again");
        assertEquals(1, burst.failures());
    }

    private List<String> messages() {
        return log.lines().stream().map(LogCapture.Line::message).toList();
    }
}
