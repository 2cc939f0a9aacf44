package dev.weft.tcp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/**
 * A connected socket of {@link Transport#EPOLL}.
 *
 * <p>A read first asks the kernel; only when that finds nothing does it wait for readiness. And when
 * a read returned less than it asked for, the kernel has run dry, so the next read waits for an event
 * newer than that read at once, without asking first: a request/response exchange costs one
 * {@code recv} and one {@code send}. (Not after the peer closed: its FIN may have come with the
 * data, and then no later event announces the end of the stream.)
 *
 * <p>One thread reads and one writes at a time (the connection's own, usually the same);
 * {@link #close()}, {@link #shutdownInput()} and the address getters may come from any thread.
 */
final class EpollSocket extends EpollFd implements SocketIo {

    /** The options an accepted socket takes: level, name, and whether the value is a Boolean. */
    private record Option(int level, int name, boolean bool) {
    }

    private static final Map<SocketOption<?>, Option> OPTIONS = options();

    private final int family;
    private final int[] readErrno = new int[1];
    private final int[] writeErrno = new int[1];
    /** After a short read: the event counter as it was before it; the next read waits for a newer event. */
    private int drainedAt;
    private boolean drained;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private volatile InetSocketAddress remote;
    /**
     * Carrier mode: reads and writes since a read or write of this socket last waited, toward
     * {@link #IO_BUDGET}. The reader and the writer may both count (a plain field: a lost count only
     * moves a yield). Unused elsewhere.
     */
    private int inARow;
    /** Whether this socket's threads share a carrier with others (its poller runs on one): then it yields. */
    private final boolean onCarrier;
    /** Whether SO_LINGER is on with a positive time: then it is turned off before the close. */
    private volatile boolean lingers;

    private EpollSocket(int fd, int family) {
        this(fd, family, EpollPoller.forAccepted(fd));
    }

    private EpollSocket(int fd, int family, EpollPoller poller) {
        super(fd, poller);
        this.family = family;
        this.onCarrier = poller.onCarrier();
    }

    /**
     * How many reads and writes of one socket a thread on a carrier does without waiting before it lets
     * the others on its carrier run: a connection whose peer keeps its buffer full never waits, and
     * without this would hold the carrier, its poller and every other connection there for as long
     * as the peer sends ({@code -Dweft.carrier.ioBudget}, default 16; Netty's {@code
     * maxMessagesPerRead} is the same idea). Request/response traffic waits long before that.
     */
    static final int IO_BUDGET = Integer.getInteger("weft.carrier.ioBudget", 16);

    /** One more I/O that did not wait; every {@link #IO_BUDGET}th yields to the others queued on the carrier. */
    private int spent(int inARow) {
        if (inARow + 1 < IO_BUDGET) {
            return inARow + 1;
        }
        // While this thread runs, its poller is queued on the carrier or parked on a lock, never in
        // epoll_wait: with nothing queued there is nobody to let run.
        if (poller.hasQueued()) {
            Thread.yield(); // to the tail of the carrier's queue: the poller and the others run first
        }
        return 0;
    }

    /**
     * Connects a new socket of {@code poller} to {@code address}, with {@code TCP_NODELAY} on: a
     * non-blocking {@code connect}, a wait for the socket to turn writable (registering it reports
     * that at once if the handshake is done already), then {@code SO_ERROR} says how it went.
     *
     * @throws SocketTimeoutException if no answer came by {@code deadline} ({@link System#nanoTime()})
     * @throws ConnectException       if the connect failed (refused, unreachable), the errno's words as the cause's
     */
    static EpollSocket connect(InetSocketAddress address, long deadline, EpollPoller poller) throws IOException {
        int family = address.getAddress() instanceof java.net.Inet6Address ? Native.AF_INET6 : Native.AF_INET;
        int[] errno = new int[1];
        int fd = Native.socket(family, errno);
        if (fd < 0) {
            throw Native.error("socket", errno[0]);
        }
        EpollSocket s = new EpollSocket(fd, family, poller);
        s.remote = address;
        try {
            Native.setsockopt(fd, Native.IPPROTO_TCP, Native.TCP_NODELAY, new int[] {1}, errno);
            byte[] sockaddr = new byte[SockAddr.MAX_LENGTH];
            int length = SockAddr.encode(address, family, sockaddr);
            int seen = s.writeSeq();
            if (Native.connect(fd, sockaddr, length, errno) == 0) {
                return s;
            }
            if (errno[0] != Native.EINPROGRESS && errno[0] != Native.EINTR) {
                throw connectFailed(errno[0]);
            }
            if (!s.awaitWritable(seen, deadline)) {
                throw new SocketTimeoutException("Connect timed out");
            }
            if (s.isClosed()) {
                throw new SocketException("Socket closed");
            }
            int[] error = new int[1];
            if (Native.getsockopt(fd, Native.SOL_SOCKET, Native.SO_ERROR, error, errno) < 0) {
                throw connectFailed(errno[0]);
            }
            if (error[0] != 0) {
                throw connectFailed(error[0]);
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** As the JDK words a failed connect: a {@link ConnectException} with the errno's words. */
    private static ConnectException connectFailed(int errno) {
        IOException cause = Native.error("", errno);
        ConnectException e = new ConnectException(cause.getMessage());
        e.initCause(cause);
        return e;
    }

    /**
     * One read that never waits: the bytes read, 0 if none had arrived, -1 at end of stream (for
     * checking an idle pooled connection).
     */
    int readNow(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        begin();
        try {
            for (;;) {
                long n = Native.read(fd, b, off, len, readErrno);
                if (n > 0) {
                    return (int) n;
                }
                if (n == 0) {
                    return len == 0 ? 0 : -1;
                }
                if (readErrno[0] == Native.EAGAIN) {
                    return 0;
                }
                if (readErrno[0] != Native.EINTR) {
                    throw Native.error("", readErrno[0]);
                }
            }
        } finally {
            end();
        }
    }

    /**
     * Takes over an accepted descriptor and its peer's address (from accept4: it stays known after a
     * reset); it joins its poller when anything first has to wait on it.
     */
    static EpollSocket accepted(int fd, int family, InetSocketAddress peer) {
        EpollSocket s = new EpollSocket(fd, family);
        s.remote = peer;
        return s;
    }

    /** On the poller's carrier in carrier mode: the thread, the socket's events and the poller share an OS thread. */
    @Override
    public Thread.Builder.OfVirtual threadBuilder() {
        return poller.threads();
    }

    static Set<SocketOption<?>> supportedOptions() {
        return OPTIONS.keySet();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        begin();
        try {
            boolean wait = drained;
            int seen = drainedAt;
            if (onCarrier && !wait) {
                inARow = spent(inARow);
            }
            for (;;) {
                if (wait) {
                    awaitReadable(seen);
                    inARow = 0;
                }
                if (isClosed()) {
                    throw new SocketException("Socket closed");
                }
                if (inputShutdown) {
                    return -1;
                }
                int before = readSeq();
                long n = Native.read(fd, b, off, len, readErrno);
                if (n > 0) {
                    // Checked after the read: a FIN that came with the data raises no later event.
                    drained = n < len && !sawHangup();
                    drainedAt = before;
                    return (int) n;
                }
                drained = false;
                if (n == 0) {
                    return -1;
                }
                int errno = readErrno[0];
                if (errno == Native.EAGAIN) {
                    wait = true;
                    seen = before;
                } else if (errno == Native.EINTR) {
                    wait = false;
                } else if (isClosed()) {
                    throw new SocketException("Socket closed");
                } else {
                    throw Native.error("", errno);
                }
            }
        } finally {
            end();
        }
    }

    /**
     * Waits without a thread where nothing can be waiting unseen: on a socket not yet registered
     * (registering reports what is there) or one whose last read ran it dry. Otherwise there may be
     * bytes that no event will announce, so the task runs at once.
     */
    @Override
    public void runWhenReadable(Runnable task) {
        if (!isRegistered()) {
            whenReadable(readSeq(), task);
        } else if (drained) {
            whenReadable(drainedAt, task);
        } else {
            task.run();
            return;
        }
        if (inputShutdown) {
            readable(); // a shutdownInput() whose wake-up came before the task was set: runs it, if still unrun
        }
    }

    @Override
    public boolean canRunWhenReadable() {
        return true;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        begin();
        try {
            while (len > 0) {
                if (outputShutdown) {
                    throw new SocketException("Socket output is shutdown");
                }
                if (onCarrier) {
                    inARow = spent(inARow);
                }
                int before = writeSeq();
                long n = Native.write(fd, b, off, len, writeErrno);
                if (n >= 0) {
                    off += (int) n;
                    len -= (int) n;
                    continue;
                }
                int errno = writeErrno[0];
                if (errno == Native.EAGAIN) {
                    inARow = 0;
                    awaitWritable(before);
                    if (isClosed()) {
                        throw new SocketException("Socket closed");
                    }
                } else if (errno != Native.EINTR) {
                    throw isClosed() ? new SocketException("Socket closed") : Native.error("", errno);
                }
            }
        } finally {
            end();
        }
    }

    @Override
    public int available() throws IOException {
        begin();
        try {
            if (inputShutdown) {
                return 0;
            }
            int[] errno = new int[1];
            int n = Native.available(fd, errno);
            if (n < 0) {
                throw Native.error("", errno[0]);
            }
            return n;
        } finally {
            end();
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        begin();
        try {
            inputShutdown = true;
            Native.shutdown(fd, Native.SHUT_RD, new int[1]); // an error means the peer is gone: reads end anyway
        } finally {
            end();
        }
        readable(); // wakes a waiting read, which sees the flag
    }

    @Override
    public void shutdownOutput() throws IOException {
        begin();
        try {
            int[] errno = new int[1];
            if (Native.shutdown(fd, Native.SHUT_WR, errno) < 0) {
                throw Native.error("shutdown", errno[0]);
            }
            outputShutdown = true;
        } finally {
            end();
        }
    }

    @Override
    public void close() {
        closeFd();
    }

    /**
     * With SO_LINGER on and a positive time, Linux's {@code close(2)} waits until the peer has
     * acknowledged everything sent, or the time is up, even on a non-blocking socket; a virtual
     * thread in that call holds its carrier, and the watchdog or a poller would stall. After the
     * time the kernel sends the rest in the background as it does without SO_LINGER, and no reset
     * (only a time of zero resets), so turning it off first changes what the peer gets in no way,
     * only that no thread waits. (The JDK's {@code SocketChannelImpl} turns it off too before a close
     * it leaves to its selector, "so that the deferred close does not wait"; its {@code NioSocketImpl}
     * behind {@link java.net.Socket} does not, and {@link JdkSocketIo} does it there.)
     */
    @Override
    void beforeClose() {
        if (lingers) {
            Native.setsockopt(fd, Native.SOL_SOCKET, Native.SO_LINGER, new int[] {0, 0}, new int[1]);
        }
    }

    @Override
    public InetSocketAddress remoteAddress() {
        InetSocketAddress r = remote;
        if (r == null) {
            r = name(true);
            remote = r;
        }
        return r;
    }

    @Override
    public InetSocketAddress localAddress() {
        return name(false);
    }

    private InetSocketAddress name(boolean peer) {
        try {
            begin();
        } catch (SocketException closed) {
            return null;
        }
        try {
            byte[] address = new byte[SockAddr.MAX_LENGTH];
            int length = Native.name(fd, peer, address, new int[1]);
            return length < 0 ? null : SockAddr.decode(address, length);
        } finally {
            end();
        }
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        Option o = option(option);
        Objects.requireNonNull(value, "value");
        int[] v;
        if (option == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            v = seconds < 0 ? new int[] {0, 0} : new int[] {1, seconds};
        } else {
            v = new int[] {o.bool() ? ((Boolean) value ? 1 : 0) : (Integer) value};
        }
        begin();
        try {
            int[] errno = new int[1];
            if (Native.setsockopt(fd, level(o), name(o), v, errno) < 0) {
                throw Native.error("setsockopt " + option.name(), errno[0]);
            }
            if (option == StandardSocketOptions.SO_LINGER) {
                lingers = (Integer) value > 0;
            }
        } finally {
            end();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> option) throws IOException {
        Option o = option(option);
        int[] v = new int[option == StandardSocketOptions.SO_LINGER ? 2 : 1];
        begin();
        try {
            int[] errno = new int[1];
            if (Native.getsockopt(fd, level(o), name(o), v, errno) < 0) {
                throw Native.error("getsockopt " + option.name(), errno[0]);
            }
        } finally {
            end();
        }
        if (option == StandardSocketOptions.SO_LINGER) {
            return (T) Integer.valueOf(v[0] == 0 ? -1 : v[1]);
        }
        return (T) (o.bool() ? Boolean.valueOf(v[0] != 0) : Integer.valueOf(v[0]));
    }

    private static Option option(SocketOption<?> option) {
        Option o = OPTIONS.get(Objects.requireNonNull(option, "option"));
        if (o == null) {
            throw new UnsupportedOperationException("'" + option.name() + "' is not supported by Transport.EPOLL");
        }
        return o;
    }

    /** IP_TOS is IPV6_TCLASS on an IPv6 socket. */
    private int level(Option o) {
        return o.name() == Native.IP_TOS && o.level() == Native.IPPROTO_IP && family == Native.AF_INET6
                ? Native.IPPROTO_IPV6 : o.level();
    }

    private int name(Option o) {
        return o.name() == Native.IP_TOS && o.level() == Native.IPPROTO_IP && family == Native.AF_INET6
                ? Native.IPV6_TCLASS : o.name();
    }

    private static Map<SocketOption<?>, Option> options() {
        Map<SocketOption<?>, Option> m = new LinkedHashMap<>();
        m.put(StandardSocketOptions.TCP_NODELAY, new Option(Native.IPPROTO_TCP, Native.TCP_NODELAY, true));
        m.put(StandardSocketOptions.SO_KEEPALIVE, new Option(Native.SOL_SOCKET, Native.SO_KEEPALIVE, true));
        m.put(StandardSocketOptions.SO_RCVBUF, new Option(Native.SOL_SOCKET, Native.SO_RCVBUF, false));
        m.put(StandardSocketOptions.SO_SNDBUF, new Option(Native.SOL_SOCKET, Native.SO_SNDBUF, false));
        m.put(StandardSocketOptions.SO_LINGER, new Option(Native.SOL_SOCKET, Native.SO_LINGER, false));
        m.put(StandardSocketOptions.SO_REUSEADDR, new Option(Native.SOL_SOCKET, Native.SO_REUSEADDR, true));
        m.put(StandardSocketOptions.SO_REUSEPORT, new Option(Native.SOL_SOCKET, Native.SO_REUSEPORT, true));
        m.put(StandardSocketOptions.IP_TOS, new Option(Native.IPPROTO_IP, Native.IP_TOS, false));
        m.put(ExtendedSocketOptions.TCP_KEEPIDLE, new Option(Native.IPPROTO_TCP, Native.TCP_KEEPIDLE, false));
        m.put(ExtendedSocketOptions.TCP_KEEPINTERVAL, new Option(Native.IPPROTO_TCP, Native.TCP_KEEPINTVL, false));
        m.put(ExtendedSocketOptions.TCP_KEEPCOUNT, new Option(Native.IPPROTO_TCP, Native.TCP_KEEPCNT, false));
        return Map.copyOf(m);
    }
}
