package dev.weft.tcp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Waits for socket readiness for the epoll transport. A socket is registered once, when a read or
 * write on it first has to wait (or a connection first waits without a thread), edge-triggered, for
 * input and output; an event bumps the socket's counter and unparks the thread waiting on it, or runs
 * the task waiting in its place ({@link EpollFd}).
 *
 * <p>An event names its socket by a key made at registration: the descriptor number in the low 32
 * bits, a count of this poller's registrations in the high 32. The kernel hands a closed socket's
 * number to the next one accepted, and an event already read from {@code epoll_wait} may be
 * dispatched after that; by the number alone it would wake (or mark hung up) the new socket.
 *
 * <p>As in the JDK's own default scheme for virtual threads, each poller is itself a virtual thread:
 * it polls without blocking, wakes the sockets' threads onto its own carrier's queue, yields, and
 * polls again; only when there are no events does it park, and one platform thread (the master)
 * blocks in {@code epoll_wait} on all pollers' descriptors to unpark the one that has events. Under
 * load, waking a connection therefore costs no switch to another OS thread.
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
    /** Registrations so far, under the lock: the high half of each socket's key. */
    private int registrations;
    private volatile Thread thread;

    private EpollPoller(int index) throws IOException {
        this.index = index;
        int[] errno = new int[1];
        this.epfd = Native.epollCreate(errno);
        if (epfd < 0) {
            throw Native.error("epoll_create1", errno[0]);
        }
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
            key = key(f.fd, ++registrations);
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

    /** The pollers (as many as the JDK's own: the largest power of two up to the CPU count), made on first use. */
    private static final class Pollers {
        static final EpollPoller[] POLLERS;
        static final int masterEpfd;

        static {
            try {
                int count = Math.min(Integer.highestOneBit(Runtime.getRuntime().availableProcessors()), 32);
                EpollPoller[] pollers = new EpollPoller[count];
                int[] errno = new int[1];
                int master = Native.epollCreate(errno);
                if (master < 0) {
                    throw Native.error("epoll_create1", errno[0]);
                }
                for (int i = 0; i < count; i++) {
                    EpollPoller p = new EpollPoller(i);
                    if (Native.epollCtl(master, Native.EPOLL_CTL_ADD, p.epfd, Native.EPOLLIN | Native.EPOLLONESHOT, i,
                            errno) < 0) {
                        throw Native.error("epoll_ctl", errno[0]);
                    }
                    pollers[i] = p;
                }
                masterEpfd = master;
                POLLERS = pollers;
                for (EpollPoller p : pollers) {
                    MemorySegment events = Arena.global().allocate(Native.EPOLL_EVENT_SIZE * MAX_EVENTS, 8);
                    p.thread = Thread.ofVirtual().name("weft-epoll-poller-" + p.index).unstarted(() -> p.loop(events));
                }
                Thread.ofPlatform().daemon().name("weft-epoll-master").start(() -> master(pollers, master));
                for (EpollPoller p : pollers) {
                    p.thread.start();
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the epoll transport: " + e.getMessage(), e);
            }
        }
    }
}
