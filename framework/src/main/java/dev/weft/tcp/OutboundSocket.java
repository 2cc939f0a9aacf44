package dev.weft.tcp;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A TCP connection this process opened to a server, for blocking code: what the pooled client and
 * the proxies talk to upstreams through. Reads and writes block the calling (virtual) thread; one
 * thread reads and one writes at a time; {@link #close()} and {@link #reset()} may come from any
 * thread and make a blocked read or write fail at once.
 *
 * <p>{@link #connect} opens it where it costs least to wait on: called from a connection's thread on
 * the epoll transport's carriers ({@code -Dweft.scheduler=carriers}), it is a socket of that carrier's
 * poller, so the server's answer wakes the thread on the OS thread it already runs on, as the client
 * connection's bytes do (issue #18: the relay and the proxies cost one wake-up per direction, no
 * thread hop). Anywhere else it is a JDK {@link SocketChannel}, whose readiness the JDK's own pollers
 * watch. {@code -Dweft.outbound=jdk} asks for the JDK's socket everywhere.
 */
public interface OutboundSocket extends Closeable {

    /** The system property that picks where {@link #connect} opens sockets: {@code auto} (the default) or {@code jdk}. */
    String PROPERTY = "weft.outbound";

    /**
     * Connects to {@code address} within {@code timeout}, with {@code TCP_NODELAY} on.
     *
     * @throws java.net.SocketTimeoutException if the server did not answer within the timeout
     * @throws java.net.ConnectException       if it refused, or the network said it cannot be reached
     * @throws IllegalArgumentException        if {@code address} is unresolved or the timeout is not positive
     */
    static OutboundSocket connect(InetSocketAddress address, Duration timeout) throws IOException {
        return Outbound.connect(address, timeout);
    }

    /** A view of a connected blocking JDK channel (its socket's streams), for code that opened its own. */
    static OutboundSocket of(SocketChannel channel) {
        return new JdkOutboundSocket(channel);
    }

    /**
     * Which carrier's poller a socket connected from the calling thread would wait on: 0 to n-1 on
     * the epoll transport's carriers, -1 anywhere else. A pool that keeps connections by affinity
     * lends a thread the ones that wake it on its own OS thread.
     */
    static int currentAffinity() {
        return Thread.currentThread().isVirtual() ? Transports.currentAffinity() : -1;
    }

    /** The bytes the server sends; -1 at its end of stream. */
    InputStream in();

    /** The bytes to the server; {@code write} returns once all were handed to the kernel. */
    OutputStream out();

    /**
     * Reads what has arrived without waiting: the bytes read, 0 if none are there, -1 at end of
     * stream. For checking an idle connection; never while another thread reads.
     */
    int readNow(byte[] b, int off, int len) throws IOException;

    /** Sends FIN after the bytes written so far. */
    void shutdownOutput() throws IOException;

    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    /** Whether this side has not closed it (the server may have closed its own). */
    boolean isOpen();

    InetSocketAddress remoteAddress();

    /** The local address, or null once closed. */
    InetSocketAddress localAddress();

    /** The carrier whose poller it waits on (see {@link #currentAffinity()}), or -1 for the JDK's socket. */
    int affinity();

    /** Where it waits: {@link Transport#EPOLL} on a carrier's poller, else {@link Transport#JDK}. */
    Transport transport();

    /** Closes it with a reset (RST, {@code SO_LINGER} 0); never blocks nor throws. */
    void reset();

    /** Closes it; never blocks (no linger) nor throws. Idempotent. */
    @Override
    void close();
}
