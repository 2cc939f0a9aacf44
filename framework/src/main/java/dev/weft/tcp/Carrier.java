package dev.weft.tcp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * One platform thread, {@code weft-carrier-N}, that runs the continuations of the virtual threads
 * scheduled on it from its own run queue: their scheduler ({@link #tasks()}), and the builder of such
 * threads ({@link #threads()}). Issue #18's wake-up path: with the epoll transport's carrier mode
 * ({@code EpollPoller}) the carrier's poller is one of its virtual threads and, while it has nothing
 * else to run, the carrier sleeps inside that poller's {@code epoll_wait}; otherwise (a poller parked
 * on a lock, or no poller) in {@link LockSupport#park}. Needs {@link VirtualThreadAccess}.
 *
 * <p><b>Submitting</b> ({@code tasks.execute}) only enqueues: it never runs the task inline (the JDK
 * refuses to run a continuation on a virtual thread, and running a yielding thread inline recursed
 * in Netty's scheduler project, issue 3), never blocks and never throws (a refused unpark would lose
 * the wake-up; a refused start fails {@code Thread.start}: Netty's project, issues 16 and 33). The
 * JDK calls it from many places, so nothing is decided from who calls: a platform thread starting a
 * thread, the carrier itself after a {@code Thread.yield}, the JDK's timer thread at the end of a
 * timed park, the JDK's unblocker thread after a monitor (JEP 491, JDK 24+), and a virtual thread
 * that unparks or starts another, which on JDK 24+ calls as itself, pinned, and on 21 to 23 as its
 * carrier ({@link JdkThreading}). Once the carrier is not {@link #RUNNING}, submissions go to the
 * JDK's scheduler instead; a virtual thread keeps this carrier as its scheduler for life (the JDK's
 * field is final), so this is what lets a closed or stuck carrier's threads go on.
 *
 * <p><b>Sleeping and waking.</b> The state word is {@link #AWAKE}, {@link #SLEEP_PARK} or
 * {@link #SLEEP_EPOLL} (the carrier's poller virtual thread blocks in {@code epoll_wait}, pinning the
 * carrier there: {@link #mayBlockInEpoll()}). The carrier stores its sleeping state and then looks at the queue once more;
 * a submitter puts its task on the queue and then reads the state. Both are volatile (sequentially
 * consistent), so at least one of them sees the other and no wake-up is lost: the sleep/wake
 * protocol of Seastar, and of the guard that Netty's scheduler project checks with JCStress. Only a
 * submitter that finds the carrier asleep wakes it, and only the one whose {@code getAndSet(AWAKE)}
 * returns a sleeping state makes the system call (Netty's project, issue 1: a wake-up per
 * submission); a submitter that finds it awake does nothing more than the enqueue.
 *
 * <p><b>The loop</b> runs on the platform thread and so may call nothing that can block on a lock a
 * virtual thread could hold (netty/netty#13204: an event loop blocked on an allocator lock that one
 * of its own virtual threads held): only the queue, {@code task.run()}, {@code park}, volatile
 * fields and {@code nanoTime}. No logging, no meters, no Weft callbacks here. {@link #busySince()} is
 * the time the running task started, 0 between tasks, for the {@link CarrierWatchdog}, which calls
 * {@link #handOff()} on a carrier stuck in one task.
 *
 * <p><b>Closing</b> drains the queue to the JDK's scheduler (never dropping a continuation) and
 * waits a bounded time for the thread to end; a task still running then ends on its own time and
 * the thread exits after it. A submitter that raced the close looks at the lifecycle again after
 * its enqueue and drains what it may have left behind (Micronaut's loom-carrier mode counts its
 * submitters in flight for the same race; a second look is enough here because anyone may drain
 * the queue). Thread-safe.
 */
final class Carrier implements AutoCloseable {

    /** The carrier is running tasks, or about to look at its queue. */
    static final int AWAKE = 0;
    /** The carrier is parked (or about to park) in {@link LockSupport#park}; a waker unparks it. */
    static final int SLEEP_PARK = 1;
    /**
     * The carrier sleeps inside its poller virtual thread's {@code epoll_wait} (set by the poller,
     * see {@link #mayBlockInEpoll()}); the waker runs the poller's wake-up, a write to its eventfd.
     */
    static final int SLEEP_EPOLL = 2;

    /** Runs what is submitted. */
    static final int RUNNING = 0;
    /** Stuck in one task (step 5's watchdog): submissions go to the JDK's scheduler until it returns. */
    static final int HANDED_OFF = 1;
    /** Closing: submissions go to the JDK's scheduler; the thread drains its queue there and ends. */
    static final int CLOSING = 2;
    /** The thread has ended. */
    static final int CLOSED = 3;

    /** How long {@link #close()} waits for the thread to end. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

    private static final VarHandle BUSY_SINCE;

    static {
        try {
            BUSY_SINCE = MethodHandles.lookup().findVarHandle(Carrier.class, "busySince", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    private final Executor fallback;
    private final Executor tasks = this::submit;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger state = new AtomicInteger(AWAKE);
    private final AtomicInteger lifecycle = new AtomicInteger(RUNNING);
    private final CountDownLatch ended = new CountDownLatch(1);
    private final LongAdder wakeups = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder drained = new LongAdder();
    /** What wakes this carrier's poller out of {@code epoll_wait} (its eventfd write); null without one. */
    private volatile Runnable epollWake;
    /** The poller thread parked off this carrier waiting to come home ({@link #awaitHome()}), or null. */
    private volatile Thread awayPoller;
    /** Written by the carrier's thread only (release), read by anyone. */
    private volatile long busySince;
    private volatile long sleeps;
    private volatile long failures;

    private Carrier(int id) {
        this.fallback = VirtualThreadAccess.defaultScheduler();
        this.thread = Thread.ofPlatform().daemon().name("weft-carrier-" + id).unstarted(this::loop);
    }

    /**
     * Starts carrier {@code id} (its thread is {@code weft-carrier-<id>}).
     *
     * @throws IllegalStateException if virtual threads cannot be given a scheduler in this JVM (saying why)
     */
    static Carrier start(int id) {
        Carrier c = new Carrier(id);
        c.thread.start();
        return c;
    }

    /** The scheduler of this carrier's virtual threads: it only enqueues, and forwards once not {@link #RUNNING}. */
    Executor tasks() {
        return tasks;
    }

    /**
     * A new builder of virtual threads on this carrier. Threads they start with
     * {@code Thread.ofVirtual()} land here too (the JDK's inheritance of schedulers).
     */
    Thread.Builder.OfVirtual threads() {
        return VirtualThreadAccess.builder(tasks);
    }

    /** This carrier's platform thread. */
    Thread thread() {
        return thread;
    }

    /** Whether {@code t} is this carrier's thread or a virtual thread mounted on it right now. */
    boolean carries(Thread t) {
        return t == thread || (t.isVirtual() && VirtualThreadAccess.carrierOf(t) == thread);
    }

    /** Whether virtual thread {@code t} is scheduled here (wherever it runs at the moment). */
    boolean owns(Thread t) {
        return t.isVirtual() && VirtualThreadAccess.schedulerOf(t) == tasks;
    }

    private void submit(Runnable task) {
        if (lifecycle.get() != RUNNING) {
            forwarded.increment();
            fallback.execute(task);
            return;
        }
        queue.offer(task);
        if (state.get() != AWAKE) {
            wake();
        }
        if (lifecycle.get() != RUNNING) {
            // Closed or handed off between the first look and the offer: whoever changed it drained
            // the queue after changing it and may have missed this task, so drain again.
            drainToFallback();
        }
    }

    private void wake() {
        int was = state.getAndSet(AWAKE);
        if (was == SLEEP_PARK) {
            wakeups.increment();
            LockSupport.unpark(thread);
        } else if (was == SLEEP_EPOLL) {
            // Only the winner of getAndSet gets here, so one write per sleep. The eventfd's count
            // stays up until the poller reads it: a write that lands before epoll_wait still wakes it.
            wakeups.increment();
            epollWake.run();
        }
    }

    /**
     * Gives this carrier a poller virtual thread that sleeps in {@code epoll_wait} (issue #18, step
     * 3): {@code wake} makes that wait return (writes its eventfd), must never block nor throw, and
     * is called by a waker that found {@link #SLEEP_EPOLL}. Set once, before the poller first asks
     * {@link #mayBlockInEpoll()}.
     */
    void sleepsInEpoll(Runnable wake) {
        epollWake = Objects.requireNonNull(wake, "wake");
    }

    /**
     * For the poller virtual thread running on this carrier, just before {@code epoll_wait}: whether
     * it may block there (no limit), which it may only when nothing else is queued. The sleeper's
     * half of the protocol in the class comment: store {@link #SLEEP_EPOLL}, then look at the queue
     * once more; true means a submitter from now on sees the state and writes the eventfd. After
     * the wait the poller calls {@link #awakeFromEpoll()}.
     */
    boolean mayBlockInEpoll() {
        if (epollWake == null || !queue.isEmpty() || lifecycle.get() != RUNNING) {
            return false;
        }
        sleeps = sleeps + 1; // the poller runs on this carrier's thread: still one writer
        state.set(SLEEP_EPOLL);
        if (!queue.isEmpty() || lifecycle.get() != RUNNING) {
            // A submitter may have seen SLEEP_EPOLL meanwhile and written the eventfd: one
            // spurious return from a later epoll_wait, nothing lost.
            state.set(AWAKE);
            return false;
        }
        return true;
    }

    /** The poller is back from an {@code epoll_wait} that {@link #mayBlockInEpoll()} allowed to block. */
    void awakeFromEpoll() {
        state.set(AWAKE);
    }

    /** Whether continuations wait in this carrier's queue (the poller's cue to yield to them). */
    boolean hasQueued() {
        return !queue.isEmpty();
    }

    private void loop() {
        try {
            while (true) {
                runQueued();
                int life = lifecycle.get();
                if (life == HANDED_OFF) {
                    // Back from the task that got this carrier handed off; its moved threads come
                    // home at their next submission.
                    lifecycle.compareAndSet(HANDED_OFF, RUNNING);
                } else if (life >= CLOSING) {
                    drainToFallback();
                    return;
                } else {
                    sleep();
                }
            }
        } finally {
            lifecycle.set(CLOSED);
            ended.countDown();
        }
    }

    private void runQueued() {
        Runnable task;
        while ((task = queue.poll()) != null) {
            long now = System.nanoTime();
            BUSY_SINCE.setRelease(this, now == 0 ? 1 : now);
            try {
                task.run();
            } catch (Throwable t) {
                // A continuation handles its own thread's failures; this is a plain task's, and the
                // carrier must outlive it (no logging on this thread: see the class comment).
                failures = failures + 1;
            }
            BUSY_SINCE.setRelease(this, 0L);
            if (lifecycle.get() != RUNNING) {
                return;
            }
        }
    }

    private void sleep() {
        sleeps = sleeps + 1;
        state.set(SLEEP_PARK);
        if (queue.isEmpty() && lifecycle.get() == RUNNING) {
            LockSupport.park(this);
            // Nothing here uses interrupts; a stray one would make every later park return at once.
            Thread.interrupted();
        }
        // A waker that won getAndSet already set this; after a spurious return or an early look
        // at a non-empty queue nobody did. A permit left by a late waker costs one spurious turn.
        state.set(AWAKE);
    }

    private void drainToFallback() {
        Runnable task;
        while ((task = queue.poll()) != null) {
            drained.increment();
            fallback.execute(task);
        }
    }

    /**
     * Moves the queued work to the JDK's scheduler and forwards new submissions there until the
     * carrier comes back to its loop (then it is {@link #RUNNING} again). For the {@link CarrierWatchdog},
     * for a carrier stuck in one task. False if the carrier was not running.
     */
    boolean handOff() {
        if (!lifecycle.compareAndSet(RUNNING, HANDED_OFF)) {
            return false;
        }
        drainToFallback();
        wake(); // a sleeping carrier would otherwise stay handed off: nobody else wakes it now
        return true;
    }

    /**
     * For this carrier's poller when it runs elsewhere (moved by a hand-off) and the carrier runs
     * again: parks until {@link #callHome()} (the watchdog's, every tick) unparks it, which puts it
     * back on this carrier. A spurious return only costs the poller another look.
     */
    void awaitHome() {
        awayPoller = Thread.currentThread();
        try {
            LockSupport.park(this);
        } finally {
            awayPoller = null;
        }
    }

    /** For the watchdog (a platform thread): unparks a poller waiting in {@link #awaitHome()} onto this carrier. */
    void callHome() {
        Thread t = awayPoller;
        if (t != null && lifecycle.get() == RUNNING) {
            LockSupport.unpark(t);
        }
    }

    /**
     * For the watchdog, on a carrier still {@link #HANDED_OFF}: moves what a submitter queued
     * meanwhile (one that read {@link #RUNNING} just before the hand-off) to the JDK's scheduler too.
     */
    void handOffAgain() {
        if (lifecycle.get() == HANDED_OFF) {
            drainToFallback();
        }
    }

    /**
     * Stops taking work: from now on submissions go to the JDK's scheduler, the queued ones are
     * moved there, and this waits up to {@link #CLOSE_WAIT} for the thread to end (not at all when
     * called on this carrier). A task still running ends on its own; the thread ends after it.
     */
    @Override
    public void close() {
        int life;
        while ((life = lifecycle.get()) < CLOSING && !lifecycle.compareAndSet(life, CLOSING)) {
            Thread.onSpinWait();
        }
        drainToFallback();
        wake();
        if (carries(Thread.currentThread())) {
            return;
        }
        try {
            ended.await(CLOSE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #AWAKE}, {@link #SLEEP_PARK} or {@link #SLEEP_EPOLL}. */
    int state() {
        return state.get();
    }

    /** {@link #RUNNING}, {@link #HANDED_OFF}, {@link #CLOSING} or {@link #CLOSED}. */
    int lifecycle() {
        return lifecycle.get();
    }

    /** {@code System.nanoTime()} when the running task started, 0 if none runs. */
    long busySince() {
        return busySince;
    }

    /** How many times a submitter woke the carrier (made the system call). */
    long wakeups() {
        return wakeups.sum();
    }

    /**
     * How many times the carrier went to sleep (set {@link #SLEEP_PARK}, or its poller
     * {@link #SLEEP_EPOLL}); never fewer than {@link #wakeups()}.
     */
    long sleeps() {
        return sleeps;
    }

    /** Submissions sent straight to the JDK's scheduler because the carrier was not {@link #RUNNING}. */
    long forwarded() {
        return forwarded.sum();
    }

    /** Queued tasks moved to the JDK's scheduler by {@link #handOff()}, {@link #close()} or a late submitter. */
    long drained() {
        return drained.sum();
    }

    /** Plain tasks that threw on the carrier (continuations do not). */
    long failures() {
        return failures;
    }

    @Override
    public String toString() {
        return thread.getName();
    }
}
