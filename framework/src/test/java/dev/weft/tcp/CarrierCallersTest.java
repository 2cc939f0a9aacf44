package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.testing.LeakCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who calls a carrier's {@code execute}, per kind of submission, as {@link JdkThreading} says for
 * the running JDK (the spike's table in {@code framework/design/wake-up-path.md}, section 2.2): a
 * recording executor in front of the carrier names each caller as the carrier's own thread, a
 * virtual thread mounted on it, a virtual thread elsewhere, or a platform thread by name. Nothing in
 * the carrier depends on these answers; they are here so that a JDK that changes them shows.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class CarrierCallersTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String CARRIER = "carrier";
    private static final String MOUNTED = "virtual thread on the carrier";
    private static final String ELSEWHERE = "virtual thread elsewhere";

    private final ConcurrentLinkedQueue<String> callers = new ConcurrentLinkedQueue<>();
    private final JdkThreading jdk = JdkThreading.current();
    private Carrier carrier;
    private Thread.Builder.OfVirtual threads;

    @BeforeEach
    void startCarrier() {
        VirtualThreadAccess.Probe probe = VirtualThreadAccess.probe();
        assumeTrue(probe.available(), probe.reason());
        carrier = Carrier.start(0);
        Executor recording = task -> {
            callers.add(kind(Thread.currentThread()));
            carrier.tasks().execute(task);
        };
        threads = VirtualThreadAccess.builder(recording);
    }

    @AfterEach
    void closeCarrier() {
        if (carrier != null) {
            carrier.close();
            await().atMost(BOUND).until(() -> carrier.lifecycle() == Carrier.CLOSED);
        }
    }

    private String kind(Thread t) {
        if (t == carrier.thread()) {
            return CARRIER;
        }
        if (t.isVirtual()) {
            return carrier.carries(t) ? MOUNTED : ELSEWHERE;
        }
        return "platform " + t.getName();
    }

    private String me() {
        return "platform " + Thread.currentThread().getName();
    }

    private List<String> drain() {
        List<String> seen = new ArrayList<>(callers);
        callers.clear();
        return seen;
    }

    @Test
    void aStartFromAPlatformThreadIsSubmittedByThatThread() throws Exception {
        assertTrue(threads.start(() -> { }).join(BOUND));
        assertEquals(List.of(me()), drain());
    }

    @Test
    void aYieldIsResubmittedByTheCarrierItself() throws Exception {
        assertTrue(threads.start(Thread::yield).join(BOUND));
        assertEquals(List.of(me(), CARRIER), drain());
    }

    @Test
    void aStartFromAVirtualThreadIsSubmittedByThatThreadOnEveryJdk() throws Exception {
        assertTrue(threads.start(() -> Thread.ofVirtual().start(() -> { })).join(BOUND));
        await().atMost(BOUND).until(() -> callers.size() == 2);
        assertEquals(List.of(me(), MOUNTED), drain());
    }

    /** The difference between JDKs: 21 to 23 switch to the carrier's identity, 24+ call as the unparker, pinned. */
    @Test
    void anUnparkFromAVirtualThreadOnTheSameCarrierIsSubmittedAsJdkThreadingSays() throws Exception {
        AtomicBoolean go = new AtomicBoolean();
        Thread parked = parkedThread(go);
        Thread unparker = threads.start(() -> {
            go.set(true);
            LockSupport.unpark(parked);
        });
        assertTrue(unparker.join(BOUND));
        assertTrue(parked.join(BOUND));
        assertEquals(List.of(me(), jdk.unparkSubmitsAsCarrier() ? CARRIER : MOUNTED), drain(), jdk.toString());
    }

    @Test
    void anUnparkFromAVirtualThreadOnTheJdksSchedulerIsSubmittedAsJdkThreadingSays() throws Exception {
        AtomicBoolean go = new AtomicBoolean();
        Thread parked = parkedThread(go);
        Thread unparker = Thread.ofVirtual().start(() -> {
            go.set(true);
            LockSupport.unpark(parked);
        });
        assertTrue(unparker.join(BOUND));
        assertTrue(parked.join(BOUND));
        List<String> seen = drain();
        assertEquals(1, seen.size(), seen.toString());
        if (jdk.unparkSubmitsAsCarrier()) {
            assertTrue(seen.get(0).startsWith("platform ForkJoinPool-"), seen + " on " + jdk);
        } else {
            assertEquals(ELSEWHERE, seen.get(0), jdk.toString());
        }
    }

    @Test
    void theEndOfATimedParkIsSubmittedByTheJdksTimerThread() throws Exception {
        assertTrue(threads.start(() -> LockSupport.parkNanos(1_000_000)).join(BOUND));
        List<String> seen = drain();
        assertEquals(me(), seen.get(0));
        assertTrue(seen.size() >= 2, seen.toString());
        for (String caller : seen.subList(1, seen.size())) {
            assertEquals("platform " + jdk.timerThreadName(), caller, seen.toString());
        }
    }

    /** JEP 491 (JDK 24+): a thread blocked on a monitor is woken by the JDK's unblocker thread. */
    @Test
    void aThreadBlockedOnAMonitorIsResubmittedByTheJdksUnblockerThread() throws Exception {
        assumeTrue(jdk.monitorsUnmount(), "before JDK 24 a thread blocked on a monitor pins its carrier");
        Object monitor = new Object();
        AtomicBoolean go = new AtomicBoolean();
        AtomicBoolean entered = new AtomicBoolean();
        Thread holder = threads.start(() -> {
            synchronized (monitor) {
                entered.set(true);
                while (!go.get()) {
                    LockSupport.park();
                }
            }
        });
        await().atMost(BOUND).until(() -> entered.get() && holder.getState() == Thread.State.WAITING);
        Thread blocked = threads.start(() -> {
            synchronized (monitor) {
                Thread.onSpinWait(); // entering is the point
            }
        });
        await().atMost(BOUND).until(() -> blocked.getState() == Thread.State.BLOCKED);
        drain();
        go.set(true);
        LockSupport.unpark(holder);
        assertTrue(holder.join(BOUND));
        assertTrue(blocked.join(BOUND));
        assertEquals(List.of(me(), "platform VirtualThread-unblocker"), drain());
    }

    /** A thread on the carrier parked until {@code go}; the start is already recorded and cleared. */
    private Thread parkedThread(AtomicBoolean go) {
        Thread parked = threads.start(() -> {
            while (!go.get()) {
                LockSupport.park();
            }
        });
        await().atMost(BOUND).until(() -> parked.getState() == Thread.State.WAITING);
        assertEquals(List.of(me()), drain());
        return parked;
    }
}
