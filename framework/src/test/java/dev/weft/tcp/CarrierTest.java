package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.testing.LeakCheck;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One {@link Carrier} driven by plain virtual threads: where they run, when a submitter wakes it,
 * locks held across a park, hand-off and shutdown with work queued. The carrier needs the JDK's
 * {@code java.lang} opened to Weft: the default test run has the flag (framework/pom.xml); where it
 * is missing (the epoll run) these tests skip. {@link CarrierStressTest} and
 * {@link CarrierCallersTest} are the load and the JDK-version cases.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class CarrierTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    private Carrier carrier;

    @BeforeEach
    void startCarrier() {
        VirtualThreadAccess.Probe probe = VirtualThreadAccess.probe();
        assumeTrue(probe.available(), probe.reason());
        carrier = Carrier.start(0);
    }

    @AfterEach
    void closeCarrier() {
        if (carrier != null) {
            carrier.close();
            await().atMost(BOUND).until(() -> carrier.lifecycle() == Carrier.CLOSED);
        }
    }

    @Test
    void virtualThreadsAndTheirChildrenRunOnTheCarrier() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        AtomicReference<Thread> child = new AtomicReference<>();
        Thread parent = carrier.threads().name("parent").start(() -> {
            Thread me = Thread.currentThread();
            child.set(Thread.ofVirtual().start(() -> { })); // inherits the parent's scheduler
            seen.set(carrier.carries(me) + " " + carrier.owns(me) + " "
                    + VirtualThreadAccess.carrierOf(me).getName());
        });
        assertTrue(parent.join(BOUND));
        assertEquals("true true weft-carrier-0", seen.get());
        assertTrue(carrier.owns(child.get()), "a Thread.ofVirtual() child lands on its parent's carrier");
        assertFalse(carrier.owns(Thread.ofVirtual().unstarted(() -> { })));
        assertFalse(carrier.carries(Thread.currentThread()));
        assertTrue(carrier.carries(carrier.thread()));
        assertEquals("weft-carrier-0", carrier.toString());
    }

    @Test
    void aSubmitterWakesTheCarrierOnlyWhenItSleepsAndNeverRunsTheTaskItself() throws Exception {
        await("the idle carrier parks").atMost(BOUND).until(() -> carrier.state() == Carrier.SLEEP_PARK);
        long before = carrier.wakeups();
        CountDownLatch ran = new CountDownLatch(1);
        carrier.tasks().execute(ran::countDown);
        assertTrue(ran.await(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(before + 1, carrier.wakeups(), "one submission to a sleeping carrier, one wake-up");

        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch spinning = new CountDownLatch(1);
        carrier.tasks().execute(() -> {
            spinning.countDown();
            while (!release.get()) {
                Thread.onSpinWait();
            }
        });
        assertTrue(spinning.await(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        assertNotEquals(0, carrier.busySince(), "busy since the spinner started");
        long awake = carrier.wakeups();
        AtomicInteger count = new AtomicInteger();
        for (int i = 0; i < 1_000; i++) {
            carrier.tasks().execute(count::incrementAndGet);
        }
        assertEquals(awake, carrier.wakeups(), "no wake-up while the carrier is awake");
        assertEquals(0, count.get(), "execute only enqueues: nothing ran on the submitter's thread");
        release.set(true);
        await().atMost(BOUND).until(() -> count.get() == 1_000);
        await().atMost(BOUND).until(() -> carrier.state() == Carrier.SLEEP_PARK && carrier.busySince() == 0);
        assertTrue(carrier.wakeups() <= carrier.sleeps(), carrier.wakeups() + " wake-ups, " + carrier.sleeps() + " sleeps");
    }

    @Test
    void aTaskThatThrowsDoesNotEndTheCarrier() throws Exception {
        carrier.tasks().execute(() -> {
            throw new IllegalStateException("a plain task's failure");
        });
        CountDownLatch after = new CountDownLatch(1);
        carrier.tasks().execute(after::countDown);
        assertTrue(after.await(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(1, carrier.failures());
        assertEquals(Carrier.RUNNING, carrier.lifecycle());
    }

    /**
     * A holds a lock across a park (and a timed sleep); B, on the same carrier, waits for the lock;
     * C must still run, because a parked virtual thread leaves its carrier whatever it holds.
     */
    @Test
    void aThreadParkedHoldingALockLeavesTheCarrierToTheOthers() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch cRan = new CountDownLatch(1);
        AtomicReference<String> seen = new AtomicReference<>("");
        Thread.Builder.OfVirtual threads = carrier.threads();
        Thread a = threads.name("a").start(() -> {
            lock.lock();
            try {
                locked.countDown();
                cRan.await();
                Thread.sleep(5); // a timed park, still holding the lock: the JDK's timer thread wakes it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        assertTrue(locked.await(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        Thread b = threads.name("b").start(() -> {
            lock.lock();
            try {
                seen.accumulateAndGet("b on carrier " + carrier.carries(Thread.currentThread()), String::concat);
            } finally {
                lock.unlock();
            }
        });
        await("b waits for the lock").atMost(BOUND).until(() -> lock.hasQueuedThread(b));
        Thread c = threads.name("c").start(() -> {
            seen.accumulateAndGet("c ran while a held the lock " + lock.isLocked() + "; ", String::concat);
            cRan.countDown();
        });
        for (Thread t : new Thread[] {a, b, c}) {
            assertTrue(t.join(BOUND), t + " ends");
        }
        assertEquals("c ran while a held the lock true; b on carrier true", seen.get());
    }

    /** The same with a monitor: on JDK 24+ (JEP 491) a thread blocked or parked in one unmounts too. */
    @Test
    void aThreadParkedInsideAMonitorLeavesTheCarrierOnJdk24AndLater() throws Exception {
        assumeTrue(JdkThreading.current().monitorsUnmount(),
                "before JDK 24 a monitor pins the carrier: step 5's watchdog covers that case");
        Object monitor = new Object();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch cRan = new CountDownLatch(1);
        AtomicReference<String> seen = new AtomicReference<>("");
        Thread.Builder.OfVirtual threads = carrier.threads();
        Thread a = threads.name("a").start(() -> {
            synchronized (monitor) {
                entered.countDown();
                try {
                    cRan.await();
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertTrue(entered.await(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        Thread b = threads.name("b").start(() -> {
            synchronized (monitor) {
                seen.accumulateAndGet("b on carrier " + carrier.carries(Thread.currentThread()), String::concat);
            }
        });
        await("b blocks on the monitor").atMost(BOUND).until(() -> b.getState() == Thread.State.BLOCKED);
        Thread c = threads.name("c").start(() -> {
            seen.accumulateAndGet("c ran; ", String::concat);
            cRan.countDown();
        });
        for (Thread t : new Thread[] {a, b, c}) {
            assertTrue(t.join(BOUND), t + " ends");
        }
        assertEquals("c ran; b on carrier true", seen.get());
    }

    /**
     * A carrier held by a spinning thread has 1,000 threads queued; {@code close()} returns within
     * its bound although the spinner still runs, every queued thread finishes on the JDK's pool,
     * later submissions go there too, and the carrier's thread ends once the spinner lets go.
     */
    @Test
    void closingWithThreadsQueuedRunsThemAllOnTheJdksScheduler() throws Exception {
        int queued = 1_000;
        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch spinning = new CountDownLatch(1);
        AtomicReference<Thread> spinnerAfterYield = new AtomicReference<>();
        Thread.Builder.OfVirtual threads = carrier.threads();
        Thread spinner = threads.name("spinner").start(() -> {
            spinning.countDown();
            while (!release.get()) {
                Thread.onSpinWait();
            }
            Thread.yield(); // resubmitted after close: to the JDK's scheduler
            spinnerAfterYield.set(VirtualThreadAccess.carrierOf(Thread.currentThread()));
        });
        assertTrue(spinning.await(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        AtomicReferenceArray<Thread> ranOn = new AtomicReferenceArray<>(queued);
        CountDownLatch done = new CountDownLatch(queued);
        for (int i = 0; i < queued; i++) {
            int n = i;
            threads.name("queued-" + i).start(() -> {
                ranOn.set(n, VirtualThreadAccess.carrierOf(Thread.currentThread()));
                done.countDown();
            });
        }
        assertEquals(queued, done.getCount(), "all wait behind the spinner");

        long start = System.nanoTime();
        carrier.close();
        long took = System.nanoTime() - start;
        assertTrue(took < Carrier.CLOSE_WAIT.plusSeconds(2).toNanos(), "close took " + took / 1_000_000 + " ms");
        assertEquals(Carrier.CLOSING, carrier.lifecycle(), "the spinner still holds the thread");
        assertTrue(done.await(BOUND.toMillis(), TimeUnit.MILLISECONDS), done.getCount() + " never ran");
        for (int i = 0; i < queued; i++) {
            assertInstanceOf(ForkJoinWorkerThread.class, ranOn.get(i), "queued-" + i + " ran on the JDK's pool");
        }
        assertEquals(queued, carrier.drained());

        AtomicReference<Thread> lateOn = new AtomicReference<>();
        Thread late = threads.name("late").start(() -> lateOn.set(VirtualThreadAccess.carrierOf(Thread.currentThread())));
        assertTrue(late.join(BOUND));
        assertInstanceOf(ForkJoinWorkerThread.class, lateOn.get());
        assertTrue(carrier.forwarded() >= 1);

        release.set(true);
        assertTrue(spinner.join(BOUND));
        assertInstanceOf(ForkJoinWorkerThread.class, spinnerAfterYield.get());
        await().atMost(BOUND).until(() -> carrier.lifecycle() == Carrier.CLOSED);
        assertFalse(carrier.thread().isAlive());
    }

    /**
     * Step 5's watchdog calls {@code handOff()} on a carrier stuck in one task: its queue moves to
     * the JDK's pool at once, and when the task returns the carrier runs again; a thread that was
     * moved comes home at its next submission.
     */
    @Test
    void aHandedOffCarrierSendsItsQueueAwayAndTakesWorkAgainWhenTheStuckTaskReturns() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch spinning = new CountDownLatch(1);
        Thread.Builder.OfVirtual threads = carrier.threads();
        Thread spinner = threads.name("spinner").start(() -> {
            spinning.countDown();
            while (!release.get()) {
                Thread.onSpinWait();
            }
        });
        assertTrue(spinning.await(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        AtomicReference<Thread> firstOn = new AtomicReference<>();
        AtomicReference<Thread> thenOn = new AtomicReference<>();
        AtomicBoolean go = new AtomicBoolean();
        Thread moved = threads.name("moved").start(() -> {
            firstOn.set(VirtualThreadAccess.carrierOf(Thread.currentThread()));
            while (!go.get()) {
                LockSupport.park();
            }
            thenOn.set(VirtualThreadAccess.carrierOf(Thread.currentThread()));
        });

        assertTrue(carrier.handOff());
        assertFalse(carrier.handOff(), "once is enough");
        assertEquals(Carrier.HANDED_OFF, carrier.lifecycle());
        await("the moved thread runs elsewhere").atMost(BOUND).until(() -> firstOn.get() != null);
        assertInstanceOf(ForkJoinWorkerThread.class, firstOn.get());
        assertEquals(1, carrier.drained());

        release.set(true);
        assertTrue(spinner.join(BOUND));
        await("back to running").atMost(BOUND).until(() -> carrier.lifecycle() == Carrier.RUNNING);
        await().atMost(BOUND).until(() -> moved.getState() == Thread.State.WAITING);
        go.set(true);
        LockSupport.unpark(moved);
        assertTrue(moved.join(BOUND));
        assertEquals(carrier.thread(), thenOn.get(), "the moved thread came home");
    }
}
