package dev.weft.tcp;

import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.SocketException;

/**
 * The libc calls of the epoll transport, through the foreign function API, and the Linux constants
 * they take (the same on amd64 and aarch64). Calls that never block run as <em>critical</em>
 * downcalls: they may take Java arrays directly, and {@code errno} lands in an {@code int[1]}.
 */
final class Native {

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;

    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_KEEPALIVE = 9;
    static final int SO_LINGER = 13;
    static final int SO_REUSEPORT = 15;
    static final int SO_ERROR = 4;
    static final int IPPROTO_IP = 0;
    static final int IP_TOS = 1;
    static final int IPPROTO_TCP = 6;
    static final int TCP_NODELAY = 1;
    static final int TCP_KEEPIDLE = 4;
    static final int TCP_KEEPINTVL = 5;
    static final int TCP_KEEPCNT = 6;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    static final int IPV6_TCLASS = 67;

    static final int MSG_NOSIGNAL = 0x4000;
    static final int SHUT_RD = 0;
    static final int SHUT_WR = 1;
    static final int SHUT_RDWR = 2;
    static final int FIONREAD = 0x541B;

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EAFNOSUPPORT = 97;
    static final int ECONNABORTED = 103;
    static final int EINPROGRESS = 115;

    static final int EPOLLIN = 0x1;
    static final int EPOLLOUT = 0x4;
    static final int EPOLLERR = 0x8;
    static final int EPOLLHUP = 0x10;
    static final int EPOLLRDHUP = 0x2000;
    static final int EPOLLONESHOT = 1 << 30;
    static final int EPOLLET = 1 << 31;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    /** {@code struct epoll_event} is packed on amd64 (12 bytes) and not on aarch64 (16). */
    static final boolean PACKED_EPOLL_EVENT = System.getProperty("os.arch", "").equals("amd64");
    static final long EPOLL_EVENT_SIZE = PACKED_EPOLL_EVENT ? 12 : 16;
    static final long EPOLL_DATA_OFFSET = PACKED_EPOLL_EVENT ? 4 : 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final AddressLayout PTR = ValueLayout.ADDRESS;
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final Linker.Option CRITICAL = Linker.Option.critical(true);

    private static final MethodHandle SOCKET = critical("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle SETSOCKOPT = critical("setsockopt", FunctionDescriptor.of(INT, INT, INT, INT, PTR, INT));
    private static final MethodHandle GETSOCKOPT = critical("getsockopt", FunctionDescriptor.of(INT, INT, INT, INT, PTR, PTR));
    private static final MethodHandle BIND = critical("bind", FunctionDescriptor.of(INT, INT, PTR, INT));
    /** On a non-blocking socket: it returns at once (EINPROGRESS), so critical. */
    private static final MethodHandle CONNECT = critical("connect", FunctionDescriptor.of(INT, INT, PTR, INT));
    private static final MethodHandle LISTEN = critical("listen", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle ACCEPT4 = critical("accept4", FunctionDescriptor.of(INT, INT, PTR, PTR, INT));
    private static final MethodHandle GETSOCKNAME = critical("getsockname", FunctionDescriptor.of(INT, INT, PTR, PTR));
    private static final MethodHandle GETPEERNAME = critical("getpeername", FunctionDescriptor.of(INT, INT, PTR, PTR));
    /** recv and send rather than read and write: MSG_NOSIGNAL, and the kernel's shorter socket path. */
    private static final MethodHandle RECV = critical("recv", FunctionDescriptor.of(LONG, INT, PTR, LONG, INT));
    private static final MethodHandle SEND = critical("send", FunctionDescriptor.of(LONG, INT, PTR, LONG, INT));
    private static final MethodHandle IOCTL = critical("ioctl", FunctionDescriptor.of(INT, INT, LONG, PTR));
    private static final MethodHandle SHUTDOWN = critical("shutdown", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle EPOLL_CREATE1 = critical("epoll_create1", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle EPOLL_CTL = critical("epoll_ctl", FunctionDescriptor.of(INT, INT, INT, INT, PTR));
    /** What {@link #eventfdSignal} writes; never changed. */
    private static final long[] EVENTFD_ONE = {1L};
    private static final MethodHandle EVENTFD = critical("eventfd", FunctionDescriptor.of(INT, INT, INT));
    /** On an eventfd only (non-blocking, 8 bytes): critical. */
    private static final MethodHandle READ = critical("read", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle WRITE = critical("write", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    /** Not critical: close may block (SO_LINGER), and epoll_wait with a timeout does. */
    private static final MethodHandle CLOSE = LINKER.downcallHandle(find("close"), FunctionDescriptor.of(INT, INT));
    private static final MethodHandle EPOLL_WAIT = LINKER.downcallHandle(find("epoll_wait"),
            FunctionDescriptor.of(INT, INT, PTR, INT, INT), ERRNO);
    /** Blocks a platform thread in the kernel: for the accept thread (see {@link EpollServerSocket}). */
    private static final MethodHandle POLL = LINKER.downcallHandle(find("poll"),
            FunctionDescriptor.of(INT, PTR, LONG, INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(find("strerror"), FunctionDescriptor.of(PTR, INT));

    private Native() {
    }

    private static MemorySegment find(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
    }

    private static MethodHandle critical(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(find(name), descriptor, ERRNO, CRITICAL);
    }

    private static MemorySegment of(int[] a) {
        return MemorySegment.ofArray(a);
    }

    private static MemorySegment of(byte[] a, int off, int len) {
        return MemorySegment.ofArray(a).asSlice(off, len);
    }

    static int socket(int domain, int[] errno) {
        try {
            return (int) SOCKET.invokeExact(of(errno), domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int setsockopt(int fd, int level, int name, int[] value, int[] errno) {
        try {
            return (int) SETSOCKOPT.invokeExact(of(errno), fd, level, name, of(value), value.length * 4);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int getsockopt(int fd, int level, int name, int[] value, int[] errno) {
        int[] length = {value.length * 4};
        try {
            return (int) GETSOCKOPT.invokeExact(of(errno), fd, level, name, of(value), of(length));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int bind(int fd, byte[] address, int length, int[] errno) {
        try {
            return (int) BIND.invokeExact(of(errno), fd, of(address, 0, length), length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** connect on a non-blocking socket: 0, or -1 with EINPROGRESS while the handshake runs. */
    static int connect(int fd, byte[] address, int length, int[] errno) {
        try {
            return (int) CONNECT.invokeExact(of(errno), fd, of(address, 0, address.length), length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int listen(int fd, int backlog, int[] errno) {
        try {
            return (int) LISTEN.invokeExact(of(errno), fd, backlog);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * accept4, non-blocking and close-on-exec; the peer's address goes into {@code address}, its
     * length into {@code length[0]}: taken at accept, so it is there even if the peer resets at once
     * (getpeername would then fail).
     */
    static int accept(int fd, byte[] address, int[] length, int[] errno) {
        length[0] = address.length;
        try {
            return (int) ACCEPT4.invokeExact(of(errno), fd, of(address, 0, address.length), of(length),
                    SOCK_NONBLOCK | SOCK_CLOEXEC);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockname (peer false) or getpeername into {@code address}; returns the length, or -1. */
    static int name(int fd, boolean peer, byte[] address, int[] errno) {
        int[] length = {address.length};
        try {
            int r = peer
                    ? (int) GETPEERNAME.invokeExact(of(errno), fd, of(address, 0, address.length), of(length))
                    : (int) GETSOCKNAME.invokeExact(of(errno), fd, of(address, 0, address.length), of(length));
            return r < 0 ? -1 : length[0];
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long read(int fd, byte[] b, int off, int len, int[] errno) {
        try {
            return (long) RECV.invokeExact(of(errno), fd, of(b, off, len), (long) len, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long write(int fd, byte[] b, int off, int len, int[] errno) {
        try {
            return (long) SEND.invokeExact(of(errno), fd, of(b, off, len), (long) len, MSG_NOSIGNAL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Bytes waiting to be read, or -1. */
    static int available(int fd, int[] errno) {
        int[] count = new int[1];
        try {
            int r = (int) IOCTL.invokeExact(of(errno), fd, (long) FIONREAD, of(count));
            return r < 0 ? -1 : count[0];
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int shutdown(int fd, int how, int[] errno) {
        try {
            return (int) SHUTDOWN.invokeExact(of(errno), fd, how);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Closes {@code fd}; the result is not checked (Linux frees the descriptor even when it reports an error). */
    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Waits in the kernel until {@code fd} is readable, hung up or failed: {@code pollfd} is a native
     * 8-byte {@code struct pollfd} owned by the caller. Returns poll's result.
     */
    static int pollIn(int fd, MemorySegment pollfd) {
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, (short) EPOLLIN); // POLLIN has the same value
        pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        try {
            return (int) POLL.invokeExact(pollfd, 1L, -1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int epollCreate(int[] errno) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(of(errno), EPOLL_CLOEXEC);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A non-blocking eventfd with a count of 0, or -1. */
    static int eventfd(int[] errno) {
        try {
            return (int) EVENTFD.invokeExact(of(errno), 0, EFD_NONBLOCK | EFD_CLOEXEC);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Adds 1 to eventfd {@code fd}'s count, which makes it readable until {@link #eventfdReset}: never
     * blocks (it would only at a count near 2^64). The result is not checked: a failed write leaves the
     * count as it was, and a count above zero already wakes the reader.
     */
    static void eventfdSignal(int fd) {
        try {
            long ignored = (long) WRITE.invokeExact(of(new int[1]), fd, MemorySegment.ofArray(EVENTFD_ONE), 8L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets eventfd {@code fd}'s count back to 0 (EAGAIN if it was 0 already, which is fine). */
    static void eventfdReset(int fd, long[] buffer) {
        try {
            long ignored = (long) READ.invokeExact(of(new int[1]), fd, MemorySegment.ofArray(buffer), 8L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** epoll_ctl with an event of {@code events} whose data is {@code data}. */
    static int epollCtl(int epfd, int op, int fd, int events, long data, int[] errno) {
        byte[] event = new byte[(int) EPOLL_EVENT_SIZE];
        MemorySegment e = MemorySegment.ofArray(event);
        e.set(ValueLayout.JAVA_INT_UNALIGNED, 0, events);
        e.set(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_DATA_OFFSET, data);
        try {
            return (int) EPOLL_CTL.invokeExact(of(errno), epfd, op, fd, e);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * epoll_wait into native {@code events}; blocks for up to {@code timeoutMillis} (-1: no limit).
     * Not critical, so {@code errno} must be native memory too ({@link #nativeErrno()}).
     */
    static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis, MemorySegment errno) {
        try {
            return (int) EPOLL_WAIT.invokeExact(errno, epfd, events, max, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A native {@code errno} slot for one thread's non-critical calls, kept for the life of the process. */
    static MemorySegment nativeErrno() {
        return Arena.global().allocate(ValueLayout.JAVA_INT);
    }

    static int eventFlags(MemorySegment events, int i) {
        return events.get(ValueLayout.JAVA_INT_UNALIGNED, i * EPOLL_EVENT_SIZE);
    }

    static long eventData(MemorySegment events, int i) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET);
    }

    /**
     * The failure {@code errno} stands for: a {@link NetworkException} of its kind for the peer's and
     * the network's (worded as the JDK's sockets word them: "Connection reset", "Broken pipe",
     * "Connection timed out"), else a {@link SocketException}.
     */
    static IOException error(String what, int errno) {
        NetworkException.Kind kind = NetworkException.kindOfLinuxErrno(errno);
        String message = switch (errno) {
            case 104 -> "Connection reset";
            case 32 -> "Broken pipe";
            default -> strerror(errno) + " (errno " + errno + ")";
        };
        message = what.isEmpty() ? message : what + ": " + message;
        return kind != null ? new NetworkException(kind, message) : new SocketException(message);
    }

    private static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "error";
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
