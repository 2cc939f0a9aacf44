package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.testing.LeakCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link CarrierWatchdog} over one private {@link Carrier} and plain virtual threads: a carrier held
 * by one task while others wait is handed off once, its waiting threads run on the JDK's scheduler,
 * and it takes work again when the task returns; an idle carrier, one asleep in its poller and one
 * with nothing queued are left alone. The watchdog's looks are made by the test at chosen moments
 * ({@code look(now)}), so nothing here depends on timing but the carrier's own progress. Needs the
 * {@code java.lang} open, as {@link CarrierTest}.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class CarrierWatchdogTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final Duration STALL = Duration.ofMillis(25);

    private Carrier carrier;
    private CarrierWatchdog watchdog;
    private final AtomicBoolean release = new AtomicBoolean();

    @BeforeEach
    void startCarrier() {
        VirtualThreadAccess.Probe probe = VirtualThreadAccess.probe();
        assumeTrue(probe.available(), probe.reason());
        carrier = Carrier.start(7);
        watchdog = new CarrierWatchdog(List.of(carrier), STALL);
    }

    @AfterEach
    void closeCarrier() {
        release.set(true);
        if (carrier != null) {
            carrier.close();
            await().atMost(BOUND).until(() -> carrier.lifecycle() == Carrier.CLOSED);
        }
    }

    /** A virtual thread on the carrier that spins (never parks: it holds the carrier) until released. */
    private Thread hog(CountDownLatch running) {
        return carrier.threads().name("hog").start(() -> {
            running.countDown();
            while (!release.get()) {
                Thread.onSpinWait();
            }
        });
    }

    @Test
    void aCarrierHeldByOneTaskIsHandedOffOnceAndItsQueueRunsElsewhere() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        Thread hog = hog(running);
        assertTrue(running.await(BOUND.toSeconds(), TimeUnit.SECONDS));
        List<Thread> waiting = new ArrayList<>();
        CountDownLatch ran = new CountDownLatch(20);
        List<Boolean> onTheCarrier = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 20; i++) {
            waiting.add(carrier.threads().start(() -> {
                onTheCarrier.add(carrier.carries(Thread.currentThread()));
                ran.countDown();
            }));
        }
        assertTrue(carrier.hasQueued());
        long since = carrier.busySince();
        assertEquals(0, watchdog.look(since + STALL.toNanos() - 1), "not stuck for long enough yet");
        long stallsBefore = CarrierWatchdog.stalls();
        assertEquals(1, watchdog.look(since + STALL.toNanos()));
        assertEquals(Carrier.HANDED_OFF, carrier.lifecycle());
        assertTrue(ran.await(BOUND.toSeconds(), TimeUnit.SECONDS), "the queued threads ran elsewhere");
        assertFalse(onTheCarrier.contains(true), "none of them on the stuck carrier");
        assertEquals(stallsBefore + 1, CarrierWatchdog.stalls());
        assertEquals(0, watchdog.look(since + 10 * STALL.toNanos()), "one stall counts once");
        for (Thread t : waiting) {
            assertTrue(t.join(BOUND));
        }

        release.set(true);
        assertTrue(hog.join(BOUND));
        await().atMost(BOUND).until(() -> carrier.lifecycle() == Carrier.RUNNING);
        AtomicBoolean home = new AtomicBoolean();
        Thread later = carrier.threads().start(() -> home.set(carrier.carries(Thread.currentThread())));
        assertTrue(later.join(BOUND));
        assertTrue(home.get(), "once the task returned, the carrier runs its threads again");
    }

    @Test
    void aPauseOfTheWholeJvmIsNoStall() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        Thread hog = hog(running);
        assertTrue(running.await(BOUND.toSeconds(), TimeUnit.SECONDS));
        Thread queued = carrier.threads().start(() -> { });
        long since = carrier.busySince();
        long tick = STALL.toNanos() / 5;
        assertEquals(0, watchdog.look(since + tick));
        // The next look comes 200 ms late (a collector's pause stopped the watchdog with everyone):
        // the task's 200 ms before it were not seen running, so they do not count.
        long resumed = since + tick + TimeUnit.MILLISECONDS.toNanos(200);
        assertEquals(0, watchdog.look(resumed), "a late look hands nothing off");
        long now = resumed;
        while (now + tick - resumed < STALL.toNanos()) {
            now += tick;
            assertEquals(0, watchdog.look(now), "stuck for less than the stall timeout of time seen");
        }
        assertEquals(1, watchdog.look(now + tick), "stuck for the stall timeout after the pause: handed off");
        release.set(true);
        assertTrue(hog.join(BOUND));
        assertTrue(queued.join(BOUND));
    }

    @Test
    void anIdleCarrierAndABusyOneWithNothingWaitingAreLeftAlone() throws Exception {
        await().atMost(BOUND).until(() -> carrier.state() == Carrier.SLEEP_PARK);
        assertEquals(0, watchdog.look(System.nanoTime() + TimeUnit.HOURS.toNanos(1)), "parked: no task runs");
        CountDownLatch running = new CountDownLatch(1);
        Thread hog = hog(running);
        assertTrue(running.await(BOUND.toSeconds(), TimeUnit.SECONDS));
        assertFalse(carrier.hasQueued());
        assertEquals(0, watchdog.look(carrier.busySince() + TimeUnit.HOURS.toNanos(1)),
                "a long task with nobody waiting behind it harms nobody");
        assertEquals(Carrier.RUNNING, carrier.lifecycle());
        release.set(true);
        assertTrue(hog.join(BOUND));
    }

    @Test
    void aBadStallTimeoutIsOneSentence() {
        String before = System.getProperty("weft.carrier.stallTimeout");
        try {
            System.setProperty("weft.carrier.stallTimeout", "fast");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CarrierWatchdog::stallTimeout);
            assertEquals("-Dweft.carrier.stallTimeout=fast is not a time in milliseconds of at least 1", e.getMessage());
            System.setProperty("weft.carrier.stallTimeout", "0");
            assertThrows(IllegalArgumentException.class, CarrierWatchdog::stallTimeout);
            System.setProperty("weft.carrier.stallTimeout", "200");
            assertEquals(Duration.ofMillis(200), CarrierWatchdog.stallTimeout());
        } finally {
            if (before == null) {
                System.clearProperty("weft.carrier.stallTimeout");
            } else {
                System.setProperty("weft.carrier.stallTimeout", before);
            }
        }
    }
}
