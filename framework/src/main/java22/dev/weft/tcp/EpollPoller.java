package dev.weft.tcp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Waits for socket readiness for the epoll transport. A socket is registered once, when a read or
 * write on it first has to wait (or a connection first waits without a thread), edge-triggered, for
 * input and output; an event bumps the socket's counter and unparks the thread waiting on it, or runs
 * the task waiting in its place ({@link EpollFd}).
 *
 * <p>An event names its socket by a key made at registration: the descriptor number in the low 32
 * bits, a count of the process's registrations in the high 32. The kernel hands a closed socket's
 * number to the next one accepted, and an event already read from {@code epoll_wait} may be
 * dispatched after that; by the number alone it would wake (or mark hung up) the new socket.
 *
 * <p>As in the JDK's own default scheme for virtual threads, each poller is itself a virtual thread:
 * it polls without blocking, wakes the sockets' threads onto its own carrier's queue, yields, and
 * polls again; only when there are no events does it park, and one platform thread (the master)
 * blocks in {@code epoll_wait} on all pollers' descriptors to unpark the one that has events. Under
 * load, waking a connection therefore costs no switch to another OS thread.
 *
 * <p><b>Carrier mode</b> ({@code -Dweft.scheduler=carriers}, issue #18): each poller is a
 * virtual thread on a {@link Carrier} of its own, and the connections it watches run their threads
 * on that carrier too ({@link #threads()}), so the OS thread that learns a socket is ready is the one
 * that runs the thread waiting on it: the unpark in {@link EpollFd#readable()} is an enqueue on this
 * carrier (no system call), the poller yields, and the carrier runs the reader. With nothing else
 * queued the poller blocks in {@code epoll_wait} with no timeout, pinning its carrier in the kernel
 * (the carrier state {@link Carrier#SLEEP_EPOLL}); a thread made runnable from elsewhere (a timer,
 * another carrier, a platform thread) wakes it through an eventfd in the same epoll set, written only
 * by the submitter that finds the carrier asleep. There is no master thread. The event loop as a
 * virtual thread on its own carrier, rather than code on the carrier's platform thread, is where
 * Netty's virtual-thread scheduler project and Micronaut's loom-carrier mode both ended up: the
 * platform loop then never blocks on a lock one of its virtual threads holds.
 */
final class EpollPoller {

    private static final System.Logger LOG = System.getLogger(EpollPoller.class.getName());
    private static final int MAX_EVENTS = 512;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(EpollFd[].class);

    private final int index;
    private final int epfd;
    private final ReentrantLock lock = new ReentrantLock();
    /** Sockets by descriptor; written under the lock, read by the poller without it. */
    private volatile EpollFd[] table = new EpollFd[1024];
    /**
     * Registrations so far in this process, the high half of each socket's key: counted across
     * pollers, so a number the kernel gives again is a new key even when the new socket went to
     * another poller (the carriers hand accepted sockets round, not by number).
     */
    private static final java.util.concurrent.atomic.AtomicInteger REGISTRATIONS = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Thread thread;
    /** Carrier mode's pollers once started, else null: read without starting them ({@link #ofCurrentCarrier()}). */
    private static volatile EpollPoller[] onCarriers;
    /** Carrier mode: the carrier this poller and its sockets' threads run on; null otherwise. */
    private final Carrier carrier;
    /** Carrier mode: the eventfd that wakes this poller out of {@code epoll_wait}; -1 otherwise. */
    private final int wakeFd;
    /** The wake-up eventfd's key: registration 0, which no socket's key has; -1 (no key) without one. */
    private final long wakeKey;
    /** The poller's buffer for resetting the eventfd. */
    private final long[] wakeCount = new long[1];

    private EpollPoller(int index, Carrier carrier) throws IOException {
        this.index = index;
        this.carrier = carrier;
        int[] errno = new int[1];
        this.epfd = Native.epollCreate(errno);
        if (epfd < 0) {
            throw Native.error("epoll_create1", errno[0]);
        }
        if (carrier == null) {
            wakeFd = -1;
            wakeKey = -1;
            return;
        }
        wakeFd = Native.eventfd(errno);
        if (wakeFd < 0) {
            throw Native.error("eventfd", errno[0]);
        }
        wakeKey = key(wakeFd, 0);
        // Level-triggered: it reports until the poller resets it, so a write is never missed.
        if (Native.epollCtl(epfd, Native.EPOLL_CTL_ADD, wakeFd, Native.EPOLLIN, wakeKey, errno) < 0) {
            throw Native.error("epoll_ctl", errno[0]);
        }
        int fd = wakeFd;
        carrier.sleepsInEpoll(() -> Native.eventfdSignal(fd));
    }

    /**
     * Whether this JVM's epoll servers run on carriers: {@code weft.scheduler=carriers} was given and
     * the probe passed. For now only then: {@code auto} keeps the JDK's scheduler. The carriers bring
     * the open-loop CPU per message to Netty's and the TCP proxy near HAProxy's, but at 1,000
     * connections behind a proxy their tail latency is 0.8 s at p99 against 0.1 s on the JDK's
     * scheduler (benchmarks/README.md, "Upstream sockets on the carrier"); the default waits for that.
     *
     * @throws IllegalArgumentException if {@code weft.scheduler} names no mode
     * @throws IllegalStateException    if carriers were asked for and cannot run here (saying why)
     */
    static boolean carriersAsked() {
        String value = System.getProperty(VirtualThreadAccess.PROPERTY);
        if (VirtualThreadAccess.Mode.parse(value) != VirtualThreadAccess.Mode.CARRIERS) {
            return false;
        }
        CarrierWatchdog.stallTimeout(); // a bad -Dweft.carrier.stallTimeout is said here, where a listener opens
        return VirtualThreadAccess.probe().available(); // throws, saying why, if not
    }

    /** The poller an accepted socket joins: round robin over the carriers in carrier mode, else by descriptor. */
    static EpollPoller forAccepted(int fd) {
        EpollPoller[] pollers = Pollers.POLLERS;
        if (pollers[0].carrier == null) {
            return pollers[fd & (pollers.length - 1)];
        }
        return pollers[Pollers.NEXT.getAndIncrement() & (pollers.length - 1)];
    }

    /**
     * A builder of the threads of connections on this poller: on its carrier in carrier mode (so
     * they share its OS thread), else {@code Thread.ofVirtual()}.
     */
    Thread.Builder.OfVirtual threads() {
        return carrier == null ? Thread.ofVirtual() : carrier.threads();
    }

    /**
     * The poller whose carrier schedules the calling virtual thread, or null: not in carrier mode,
     * not a virtual thread, or one of another scheduler. Never starts the pollers.
     */
    static EpollPoller ofCurrentCarrier() {
        EpollPoller[] pollers = onCarriers;
        Thread t = Thread.currentThread();
        if (pollers == null || !t.isVirtual()) {
            return null;
        }
        for (EpollPoller p : pollers) {
            if (p.carrier.owns(t)) {
                return p;
            }
        }
        return null;
    }

    /** Its place among the pollers, 0 to n-1. */
    int index() {
        return index;
    }

    /** Whether this poller runs on a carrier of its own (carrier mode). */
    boolean onCarrier() {
        return carrier != null;
    }

    /** Carrier mode: whether threads wait in its carrier's queue. */
    boolean hasQueued() {
        return carrier.hasQueued();
    }

    /** The poller that watches {@code fd}. */
    static EpollPoller of(int fd) {
        EpollPoller[] pollers = Pollers.POLLERS;
        return pollers[fd & (pollers.length - 1)];
    }

    /** Starts watching {@code f} for input and output, edge-triggered. */
    void register(EpollFd f) throws IOException {
        long key;
        lock.lock();
        try {
            EpollFd[] t = table;
            if (f.fd >= t.length) {
                t = Arrays.copyOf(t, Math.max(f.fd + 1, t.length * 2));
                table = t;
            }
            int registration;
            do {
                registration = REGISTRATIONS.incrementAndGet();
            } while (registration == 0); // 0 is the wake-up eventfd's, after the count wraps
            key = key(f.fd, registration);
            f.key = key; // published by the volatile store below
            SLOT.setVolatile(t, f.fd, f);
        } finally {
            lock.unlock();
        }
        int[] errno = new int[1];
        int events = Native.EPOLLIN | Native.EPOLLOUT | Native.EPOLLRDHUP | Native.EPOLLET;
        if (Native.epollCtl(epfd, Native.EPOLL_CTL_ADD, f.fd, events, key, errno) < 0) {
            deregister(f);
            throw Native.error("epoll_ctl", errno[0]);
        }
    }

    /** Forgets {@code f}; called before its descriptor is closed (closing removes it from epoll). */
    void deregister(EpollFd f) {
        lock.lock();
        try {
            EpollFd[] t = table;
            if (f.fd < t.length && SLOT.getVolatile(t, f.fd) == f) {
                SLOT.setVolatile(t, f.fd, null);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A socket's key in its events: see the class comment. */
    static long key(int fd, int registration) {
        return (long) registration << 32 | (fd & 0xFFFF_FFFFL);
    }

    /**
     * Polls, dispatches, and parks when there is nothing. A failing {@code epoll_wait} (or re-arming
     * of the master) is logged once per burst and retried after a pause (see {@link FailureBurst}),
     * never in a spin and never by parking for good, which would strand every socket of this poller.
     */
    private void loop(MemorySegment events) {
        MemorySegment waitErrno = Native.nativeErrno();
        int[] errno = new int[1];
        FailureBurst waitFailures = new FailureBurst(LOG, "epoll_wait of poller " + index);
        FailureBurst armFailures = new FailureBurst(LOG, "re-arming the epoll master for poller " + index);
        for (;;) {
            int n = Native.epollWait(epfd, events, MAX_EVENTS, 0, waitErrno);
            if (n < 0) {
                int e = waitErrno.get(ValueLayout.JAVA_INT, 0);
                // EINTR: at once; else after a pause (parkNanos(0) returns at once).
                LockSupport.parkNanos(waitFailures.failed(e, () -> "epoll_wait of poller " + index + " failed: "
                        + strerror(e)));
                continue;
            }
            waitFailures.succeeded();
            if (n > 0) {
                dispatch(events, n);
                Thread.yield(); // let the woken connections run before polling again
                continue;
            }
            // Nothing ready: ask the master to wake this poller when something is, then park.
            if (Native.epollCtl(Pollers.masterEpfd, Native.EPOLL_CTL_MOD, epfd, Native.EPOLLIN | Native.EPOLLONESHOT,
                    index, errno) < 0) {
                int e = errno[0];
                LockSupport.parkNanos(armFailures.failed(e, () -> "re-arming the epoll master for poller " + index
                        + " failed, polling it on a timer: " + strerror(e)));
                continue;
            }
            armFailures.succeeded();
            LockSupport.park(this);
        }
    }

    /**
     * Carrier mode's loop, on this poller's carrier: polls without blocking while other threads are
     * queued there and yields to them after each pass; with none, blocks in {@code epoll_wait} until
     * a socket or the eventfd is ready ({@link Carrier#mayBlockInEpoll()} stores the sleeping state and
     * looks at the queue once more, so a submission that raced it either is seen or writes the eventfd).
     * Failures are handled as in {@link #loop}.
     */
    private void carrierLoop(MemorySegment events) {
        MemorySegment waitErrno = Native.nativeErrno();
        FailureBurst waitFailures = new FailureBurst(LOG, "epoll_wait of poller " + index);
        for (;;) {
            // Off its carrier (the watchdog moved it to the JDK's scheduler while the carrier was
            // stuck) it must not block a worker there in epoll_wait, nor touch the carrier's state.
            boolean home = carrier.carries(Thread.currentThread());
            boolean block = home && carrier.mayBlockInEpoll();
            int n = Native.epollWait(epfd, events, MAX_EVENTS, block ? -1 : 0, waitErrno);
            if (block) {
                carrier.awakeFromEpoll();
            }
            if (n < 0) {
                int e = waitErrno.get(ValueLayout.JAVA_INT, 0);
                LockSupport.parkNanos(waitFailures.failed(e, () -> "epoll_wait of poller " + index + " failed: "
                        + strerror(e)));
                continue;
            }
            waitFailures.succeeded();
            if (n > 0) {
                dispatch(events, n);
            }
            if (!home && carrier.lifecycle() == Carrier.RUNNING) {
                // Back from the hand-off, the carrier runs again: go home. Not by Thread.yield(): a
                // virtual thread that yields (or whose timed park ends) on one of the JDK's
                // fork-join carriers is resubmitted to that pool whatever its own scheduler
                // (VirtualThread.afterYield and lazySubmitRunContinuation, JDK 25), so it would spin
                // there. Parked, it is unparked by the carrier watchdog, a platform thread, and an
                // unpark from one goes to the thread's own scheduler: this carrier.
                carrier.awaitHome();
            } else if (carrier.hasQueued()) {
                Thread.yield(); // to the tail of the carrier's queue: the woken threads run first
            } else if (!block && n == 0 && carrier.lifecycle() != Carrier.RUNNING) {
                // The carrier is stuck (handed off) or closing: this thread now runs on the JDK's
                // scheduler and polls on a timer, never blocking a worker there, nor spinning.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    private static String strerror(int errno) {
        return Native.error("", errno).getMessage();
    }

    private void dispatch(MemorySegment events, int n) {
        for (int i = 0; i < n; i++) {
            deliver(Native.eventFlags(events, i), Native.eventData(events, i));
        }
    }

    /**
     * Hands one event to the socket its key names. An event for a socket closed since it was read
     * goes nowhere, also when a new socket has the same descriptor number by now.
     */
    void deliver(int flags, long key) {
        if (key == wakeKey) {
            Native.eventfdReset(wakeFd, wakeCount); // the wake-up's work is done: the poller is awake
            return;
        }
        EpollFd[] t = table;
        int fd = (int) key;
        EpollFd f = fd >= 0 && fd < t.length ? (EpollFd) SLOT.getVolatile(t, fd) : null;
        if (f != null && f.key == key) {
            if ((flags & (Native.EPOLLRDHUP | Native.EPOLLERR | Native.EPOLLHUP)) != 0) {
                f.hangup();
            }
            if ((flags & (Native.EPOLLIN | Native.EPOLLRDHUP | Native.EPOLLERR | Native.EPOLLHUP)) != 0) {
                f.readable();
            }
            if ((flags & (Native.EPOLLOUT | Native.EPOLLERR | Native.EPOLLHUP)) != 0) {
                f.writable();
            }
        }
    }

    /** The master: blocks until some poller's descriptor has events, and unparks that poller. */
    private static void master(EpollPoller[] pollers, int masterEpfd) {
        MemorySegment events = Arena.global().allocate(Native.EPOLL_EVENT_SIZE * pollers.length, 8);
        MemorySegment errno = Native.nativeErrno();
        FailureBurst failures = new FailureBurst(LOG, "epoll_wait of the epoll master");
        for (;;) {
            int n = Native.epollWait(masterEpfd, events, pollers.length, -1, errno);
            if (n < 0) {
                int e = errno.get(ValueLayout.JAVA_INT, 0);
                LockSupport.parkNanos(failures.failed(e, () -> "epoll_wait of the epoll master failed: " + strerror(e)));
                continue;
            }
            failures.succeeded();
            for (int i = 0; i < n; i++) {
                LockSupport.unpark(pollers[(int) Native.eventData(events, i)].thread);
            }
        }
    }

    /**
     * The pollers (as many as the JDK's own: the largest power of two up to the CPU count), made on
     * first use: on carriers of their own in carrier mode, else on the JDK's scheduler with the master.
     */
    private static final class Pollers {
        static final EpollPoller[] POLLERS;
        static final int masterEpfd;
        /** Carrier mode's round robin of accepted sockets. */
        static final AtomicInteger NEXT = new AtomicInteger();

        static {
            try {
                int count = Math.min(Integer.highestOneBit(Runtime.getRuntime().availableProcessors()), 32);
                EpollPoller[] pollers = new EpollPoller[count];
                int[] errno = new int[1];
                if (carriersOrNot()) {
                    for (int i = 0; i < count; i++) {
                        pollers[i] = new EpollPoller(i, Carrier.start(i));
                    }
                    masterEpfd = -1;
                    POLLERS = pollers;
                    for (EpollPoller p : pollers) {
                        MemorySegment events = Arena.global().allocate(Native.EPOLL_EVENT_SIZE * MAX_EVENTS, 8);
                        p.thread = p.carrier.threads().name("weft-epoll-poller-" + p.index)
                                .unstarted(() -> p.carrierLoop(events));
                    }
                    for (EpollPoller p : pollers) {
                        p.thread.start();
                    }
                    onCarriers = pollers;
                    List<Carrier> carriers = new ArrayList<>();
                    for (EpollPoller p : pollers) {
                        carriers.add(p.carrier);
                    }
                    new CarrierWatchdog(carriers, CarrierWatchdog.stallTimeout()).start();
                    LOG.log(System.Logger.Level.INFO, "The epoll transport runs on " + count + " carriers: each"
                            + " poller and its connections' virtual threads share one OS thread ("
                            + VirtualThreadAccess.PROPERTY + "=carriers)");
                } else {
                    masterEpfd = master(pollers, errno);
                    POLLERS = pollers;
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the epoll transport: " + e.getMessage(), e);
            }
        }

        /** {@link #carriersAsked()}; a failure was already reported when the listener opened, so here it is "no". */
        private static boolean carriersOrNot() {
            try {
                return carriersAsked();
            } catch (RuntimeException e) {
                return false;
            }
        }

        /** Today's scheme: the pollers on the JDK's scheduler, started with the master; returns its epfd. */
        private static int master(EpollPoller[] pollers, int[] errno) throws IOException {
            int master = Native.epollCreate(errno);
            if (master < 0) {
                throw Native.error("epoll_create1", errno[0]);
            }
            for (int i = 0; i < pollers.length; i++) {
                EpollPoller p = new EpollPoller(i, null);
                if (Native.epollCtl(master, Native.EPOLL_CTL_ADD, p.epfd, Native.EPOLLIN | Native.EPOLLONESHOT, i,
                        errno) < 0) {
                    throw Native.error("epoll_ctl", errno[0]);
                }
                pollers[i] = p;
            }
            // The pollers read masterEpfd, so they wait for this class's initialisation to end first.
            for (EpollPoller p : pollers) {
                MemorySegment events = Arena.global().allocate(Native.EPOLL_EVENT_SIZE * MAX_EVENTS, 8);
                p.thread = Thread.ofVirtual().name("weft-epoll-poller-" + p.index).unstarted(() -> p.loop(events));
            }
            Thread.ofPlatform().daemon().name("weft-epoll-master").start(() -> EpollPoller.master(pollers, master));
            for (EpollPoller p : pollers) {
                p.thread.start();
            }
            return master;
        }
    }
}
