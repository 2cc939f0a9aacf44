package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The send-rate budget on an explicit clock: what earns waiting time, what spends it, and its cap. */
class SendRateTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    /** A duration too long for a long count of nanoseconds. */
    private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE / 2);

    /** 1,000 bytes/s after a 2 s grace: a byte buys 1 ms of waiting. */
    private final SendRate rate = new SendRate(1_000, Duration.ofSeconds(2));
    private long now = 123_456_789L;

    /** One socket write of {@code bytes} that the peer takes within {@code waited}. */
    private void write(int bytes, long waited) {
        rate.writing(bytes, now);
        assertFalse(rate.isLate(now + waited), "cut during a write that came back in time");
        now += waited;
        rate.wrote(now);
    }

    @Test
    void aWriteMayWaitTheGracePlusItsOwnBytesAtTheMinimumRate() {
        rate.writing(500, now);
        assertFalse(rate.isLate(now + 2 * S + 500 * MS), "2 s of grace and 500 ms for 500 bytes");
        assertTrue(rate.isLate(now + 2 * S + 501 * MS));
    }

    @Test
    void aPeerAtExactlyTheMinimumIsNeverCutHoweverLongItGoesOn() {
        for (int i = 0; i < 10_000; i++) {
            write(8_192, 8_192 * MS);
        }
        rate.writing(8_192, now);
        assertFalse(rate.isLate(now + 2 * S + 8_192 * MS), "the whole grace is still there");
    }

    @Test
    void timeBetweenWritesCostsNothing() {
        for (int i = 0; i < 100; i++) {
            write(10, 0);
            now += 60 * S; // the handler takes a minute to produce its next 10 bytes
        }
        rate.writing(10, now);
        assertFalse(rate.isLate(now + 2 * S + 10 * MS));
    }

    @Test
    void aPeerThatFallsBehindSpendsTheGraceAndIsCutWhenItIsGone() {
        // Each 1,000-byte write takes 1.5 s instead of 1 s: 500 ms of the grace goes each time.
        write(1_000, 1_500 * MS);
        write(1_000, 1_500 * MS);
        write(1_000, 1_500 * MS);
        write(1_000, 1_500 * MS); // 2 s of grace spent: the next write has its own second only
        rate.writing(1_000, now);
        assertFalse(rate.isLate(now + 1_000 * MS));
        assertTrue(rate.isLate(now + 1_001 * MS));
    }

    @Test
    void savedTimeCarriesOverButNeverMoreThanTheGrace() {
        // Megabytes taken at once (a kernel buffer filling) buy nothing beyond the grace.
        for (int i = 0; i < 256; i++) {
            write(8_192, 0);
        }
        rate.writing(100, now);
        assertFalse(rate.isLate(now + 2 * S + 100 * MS));
        assertTrue(rate.isLate(now + 2 * S + 101 * MS), "2 MB taken at once bought more than the grace");
    }

    @Test
    void aWriteThatCameBackLateLeavesADebtForTheNext() {
        rate.writing(1_000, now);
        now += 3_500 * MS; // 500 ms past its budget, between two watchdog scans
        rate.wrote(now);
        rate.writing(1_000, now);
        assertFalse(rate.isLate(now + 500 * MS));
        assertTrue(rate.isLate(now + 501 * MS));
    }

    @Test
    void nothingIsLateBetweenWritesOrAfterOneFailed() {
        assertFalse(rate.isLate(now + 100 * S));
        rate.writing(1, now);
        rate.stopped();
        assertFalse(rate.isLate(now + 100 * S));
    }

    @Test
    void piecesAreOneGraceAtTheMinimumRateBetween8And64KiB() {
        assertEquals(8 * 1024, new SendRate(256, Duration.ofSeconds(5)).piece());
        assertEquals(20_000, new SendRate(10_000, Duration.ofSeconds(2)).piece());
        assertEquals(64 * 1024, new SendRate(1_000_000, Duration.ofSeconds(5)).piece());
        assertEquals(8 * 1024, new SendRate(1, Duration.ZERO).piece());
        assertEquals(64 * 1024, new SendRate(Long.MAX_VALUE, FOREVER).piece());
        assertThrows(IllegalArgumentException.class, () -> new SendRate(0, Duration.ofSeconds(1)));
    }

    @Test
    void aHugeGraceStillGivesDeadlinesThatCompare() {
        SendRate generous = new SendRate(1, FOREVER);
        generous.writing(65_536, now);
        assertFalse(generous.isLate(now + 365L * 24 * 3600 * S));
    }
}
