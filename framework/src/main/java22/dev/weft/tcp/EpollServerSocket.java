package dev.weft.tcp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.util.Set;

/**
 * A listening socket of {@link Transport#EPOLL}. A wildcard address listens on both IPv6 and IPv4,
 * as the JDK's sockets do, where the kernel has IPv6. One thread accepts at a time (the server's
 * accept thread); {@link #close()} may come from any thread.
 */
final class EpollServerSocket extends EpollFd implements ServerSocketIo {

    private final int family;
    private final int[] errno = new int[1];
    /** The accept thread's buffers for the peer's address (one thread accepts at a time). */
    private final byte[] peer = new byte[SockAddr.MAX_LENGTH];
    private final int[] peerLength = new int[1];
    /** The accept thread's {@code struct pollfd}, freed with this object. */
    private final MemorySegment pollfd = Arena.ofAuto().allocate(8, 4);
    private final InetSocketAddress local;

    private EpollServerSocket(int fd, int family) throws IOException {
        super(fd);
        this.family = family;
        byte[] address = new byte[SockAddr.MAX_LENGTH];
        int length = Native.name(fd, false, address, errno);
        if (length < 0) {
            throw Native.error("getsockname", errno[0]);
        }
        this.local = SockAddr.decode(address, length);
    }

    /**
     * Found by {@link Transports}. Fails, saying why, if {@code weft.scheduler=carriers} was given and
     * the carriers cannot run in this JVM, or if {@code weft.scheduler} names no mode.
     */
    static EpollServerSocket open(InetSocketAddress address, int backlog, Integer receiveBuffer) throws IOException {
        EpollPoller.carriersAsked();
        InetAddress ip = address.getAddress();
        int[] errno = new int[1];
        int family = ip instanceof java.net.Inet6Address || ip.isAnyLocalAddress() ? Native.AF_INET6 : Native.AF_INET;
        int fd = Native.socket(family, errno);
        if (fd < 0 && family == Native.AF_INET6 && ip.isAnyLocalAddress() && errno[0] == Native.EAFNOSUPPORT) {
            family = Native.AF_INET; // no IPv6 in this kernel
            fd = Native.socket(family, errno);
        }
        if (fd < 0) {
            throw Native.error("socket", errno[0]);
        }
        try {
            check(Native.setsockopt(fd, Native.SOL_SOCKET, Native.SO_REUSEADDR, new int[] {1}, errno), "SO_REUSEADDR",
                    errno);
            if (family == Native.AF_INET6 && ip.isAnyLocalAddress()) {
                check(Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_V6ONLY, new int[] {0}, errno),
                        "IPV6_V6ONLY", errno);
            }
            if (receiveBuffer != null) {
                // Set before bind so accepted sockets inherit a window scale that fits it.
                check(Native.setsockopt(fd, Native.SOL_SOCKET, Native.SO_RCVBUF, new int[] {receiveBuffer}, errno),
                        "SO_RCVBUF", errno);
            }
            byte[] sockaddr = new byte[SockAddr.MAX_LENGTH];
            int length = SockAddr.encode(address, family, sockaddr);
            if (Native.bind(fd, sockaddr, length, errno) < 0) {
                throw Native.error("bind", errno[0]);
            }
            check(Native.listen(fd, backlog, errno), "listen", errno);
            return new EpollServerSocket(fd, family);
        } catch (IOException | RuntimeException e) {
            Native.close(fd);
            throw e;
        }
    }

    /** Found by {@link Transports}. */
    static Set<SocketOption<?>> supportedOptions() {
        return EpollSocket.supportedOptions();
    }

    private static void check(int result, String what, int[] errno) throws IOException {
        if (result < 0) {
            throw Native.error(what, errno[0]);
        }
    }

    /**
     * Accepts the next connection. A platform thread (the server's accept thread) waits in the
     * kernel's {@code poll}, which wakes it at once; a virtual thread waits through the pollers.
     * Through the pollers the accept thread would wait for a poller to get a carrier, and in a
     * connect storm, with the carriers busy, the listen queue overflows meanwhile.
     */
    @Override
    public SocketIo accept() throws IOException {
        begin();
        try {
            for (;;) {
                if (isClosed()) {
                    throw new SocketException("Socket closed");
                }
                int before = readSeq();
                int fd = Native.accept(this.fd, peer, peerLength, errno);
                if (fd >= 0) {
                    return EpollSocket.accepted(fd, family, SockAddr.decode(peer, peerLength[0]));
                }
                int e = errno[0];
                if (e == Native.EAGAIN) {
                    if (Thread.currentThread().isVirtual()) {
                        awaitReadable(before);
                    } else {
                        Native.pollIn(this.fd, pollfd);
                    }
                } else if (isClosed()) {
                    throw new SocketException("Socket closed");
                } else if (e != Native.EINTR && e != Native.ECONNABORTED) {
                    throw Native.error("accept", e);
                }
            }
        } finally {
            end();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    /** Closes; a thread waiting in {@code poll} is woken by shutting the listener down first. */
    @Override
    public void close() {
        try {
            begin(); // holds the descriptor open while it is shut down
        } catch (SocketException alreadyClosed) {
            return;
        }
        try {
            closeFd(); // marks it closed; the descriptor goes at end()
            Native.shutdown(fd, Native.SHUT_RDWR, new int[1]); // wakes poll, and accept fails from now
        } finally {
            end();
        }
    }
}
