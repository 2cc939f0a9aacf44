package dev.weft.tcp;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketException;
import java.util.concurrent.locks.LockSupport;

/**
 * A non-blocking descriptor watched by an {@link EpollPoller}: readiness counters the poller
 * bumps, the threads waiting on them, and a close that never frees the descriptor number while a
 * call is using it (the kernel would hand the number to the next accepted socket).
 *
 * <p>Waiting: take {@link #readSeq()} <em>before</em> the call that found nothing, then
 * {@link #awaitReadable(int)} returns once an event came after it. Edge-triggered epoll reports every
 * arrival, so no wake-up is lost between the call and the wait. {@link #whenReadable(int, Runnable)}
 * waits the same way without a thread: it runs a task instead.
 */
abstract class EpollFd {

    private static final int CLOSED = Integer.MIN_VALUE;
    private static final VarHandle READ_SEQ;
    private static final VarHandle WRITE_SEQ;
    private static final VarHandle REGISTERED;
    private static final VarHandle STATE;
    private static final VarHandle ON_READABLE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            READ_SEQ = lookup.findVarHandle(EpollFd.class, "readSeq", int.class);
            WRITE_SEQ = lookup.findVarHandle(EpollFd.class, "writeSeq", int.class);
            REGISTERED = lookup.findVarHandle(EpollFd.class, "registered", boolean.class);
            STATE = lookup.findVarHandle(EpollFd.class, "state", int.class);
            ON_READABLE = lookup.findVarHandle(EpollFd.class, "onReadable", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int fd;
    final EpollPoller poller;
    /** This registration's name in the poller's events (see {@link EpollPoller}); set by it. */
    long key;
    private volatile int readSeq;
    private volatile int writeSeq;
    /** Set once the poller saw the peer close or an error: a short read then no longer means "empty". */
    private volatile boolean hangup;
    private volatile Thread reader;
    private volatile boolean registered;
    private volatile Thread writer;
    /** Run, once, instead of waking a reader: see {@link #whenReadable(int, Runnable)}. */
    private volatile Runnable onReadable;
    /** The sign bit: closed; the rest: how many calls are using the descriptor now. */
    private volatile int state;

    EpollFd(int fd) {
        this(fd, EpollPoller.of(fd));
    }

    EpollFd(int fd, EpollPoller poller) {
        this.fd = fd;
        this.poller = poller;
    }

    final int readSeq() {
        return readSeq;
    }

    final int writeSeq() {
        return writeSeq;
    }

    /** Called by the poller, before {@link #readable()}, for a peer close (FIN or reset) or an error. */
    final void hangup() {
        hangup = true;
    }

    /** Whether the poller watches this descriptor yet: it does from the first wait on. */
    final boolean isRegistered() {
        return registered;
    }

    final boolean sawHangup() {
        return hangup;
    }

    /** Called by the poller, and by anything that must wake the reader. */
    final void readable() {
        READ_SEQ.getAndAdd(this, 1);
        if (onReadable != null) {
            fire();
        }
        Thread t = reader;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    final void writable() {
        WRITE_SEQ.getAndAdd(this, 1);
        Thread t = writer;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Registers with the poller the first time anyone must wait, so a connection whose thread starts
     * at accept costs the accept thread no {@code epoll_ctl} (one that waits for its first bytes
     * without a thread registers there). Registering reports the readiness there is at that moment,
     * so whatever arrived since the call that found nothing still wakes the waiter.
     */
    private void ensureRegistered() throws IOException {
        if (!registered && REGISTERED.compareAndSet(this, false, true)) {
            try {
                poller.register(this);
            } catch (IOException e) {
                registered = false;
                throw e;
            }
        }
    }

    /** Parks until an input event newer than {@code seen}, or a close. */
    final void awaitReadable(int seen) throws IOException {
        ensureRegistered();
        reader = Thread.currentThread();
        try {
            while (readSeq == seen && !isClosed()) {
                LockSupport.park(this);
            }
        } finally {
            reader = null;
        }
    }

    /**
     * Runs {@code task} once, at the first input event newer than {@code seen}, or at a close or an
     * input shutdown, whichever comes first; at once if one came already. It runs on the thread that
     * saw the event (the poller, or a closing thread), so it must be short and must not block.
     */
    final void whenReadable(int seen, Runnable task) {
        onReadable = task;
        try {
            begin();
            try {
                ensureRegistered();
            } finally {
                end();
            }
        } catch (IOException e) {
            fire(); // closed, or epoll refused it: the task's own read reports that
            return;
        }
        // Read after onReadable was published, as readable() reads onReadable after its bump: one of
        // the two sees the other.
        if (readSeq != seen || isClosed()) {
            fire();
        }
    }

    private void fire() {
        Runnable task = (Runnable) ON_READABLE.getAndSet(this, null);
        if (task != null) {
            task.run();
        }
    }

    /** Parks until an output event newer than {@code seen}, or a close. */
    final void awaitWritable(int seen) throws IOException {
        ensureRegistered();
        writer = Thread.currentThread();
        try {
            while (writeSeq == seen && !isClosed()) {
                LockSupport.park(this);
            }
        } finally {
            writer = null;
        }
    }

    /**
     * Like {@link #awaitWritable(int)}, but gives up at {@code deadline} ({@link System#nanoTime()}):
     * false then. A timed park costs a timer, so only for the rare wait that needs one (a connect).
     */
    final boolean awaitWritable(int seen, long deadline) throws IOException {
        ensureRegistered();
        writer = Thread.currentThread();
        try {
            while (writeSeq == seen && !isClosed()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, left);
            }
            return true;
        } finally {
            writer = null;
        }
    }

    /** Marks a call that uses the descriptor; fails if closed. Pair with {@link #end()}. */
    final void begin() throws SocketException {
        for (;;) {
            int s = state;
            if (s < 0) {
                throw new SocketException("Socket closed");
            }
            if (STATE.compareAndSet(this, s, s + 1)) {
                return;
            }
        }
    }

    final void end() {
        if ((int) STATE.getAndAdd(this, -1) - 1 == CLOSED) {
            release();
        }
    }

    public final boolean isClosed() {
        return state < 0;
    }

    /** Closes: wakes the waiting threads; the descriptor goes once no call uses it. Idempotent. */
    final void closeFd() {
        for (;;) {
            int s = state;
            if (s < 0) {
                return;
            }
            if (STATE.compareAndSet(this, s, s | CLOSED)) {
                readable();
                writable();
                if (s == 0) {
                    release();
                }
                return;
            }
        }
    }

    private void release() {
        if (registered) {
            poller.deregister(this);
        }
        beforeClose();
        Native.close(fd);
    }

    /** Runs once, on whichever thread frees the descriptor, just before {@code close(2)}. */
    void beforeClose() {
    }
}
