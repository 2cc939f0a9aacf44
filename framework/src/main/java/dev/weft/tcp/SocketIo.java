package dev.weft.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;

/**
 * One connected socket as {@link TcpConnection} uses it, whatever the {@link Transport}. Reads and
 * writes block the calling virtual thread; {@link #shutdownInput()} and {@link #close()} may come
 * from any thread and wake a blocked reader (and, for close, a blocked writer).
 */
interface SocketIo {

    /** Reads at least one byte, or returns -1 at end of stream or after {@link #shutdownInput()}. */
    int read(byte[] b, int off, int len) throws IOException;

    /** Writes every byte, blocking while the send buffer is full. */
    void write(byte[] b, int off, int len) throws IOException;

    /** Bytes that can be read without blocking. */
    int available() throws IOException;

    /** Ends reading: a blocked or later read returns -1. */
    void shutdownInput() throws IOException;

    /** Sends FIN after the bytes written so far. */
    void shutdownOutput() throws IOException;

    /** Closes the socket; blocked reads and writes fail at once. Idempotent. */
    void close() throws IOException;

    boolean isClosed();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    <T> T getOption(SocketOption<T> option) throws IOException;

    /** Whether {@link #runWhenReadable} works here: a transport with readiness events. */
    default boolean canRunWhenReadable() {
        return false;
    }

    /**
     * Runs {@code task} once input may be readable (bytes, end of stream, an error) or the socket is
     * shut down or closed, without a thread waiting meanwhile; the task runs on the thread that saw
     * the event and must be short. Bytes the caller buffered and did not consume announce nothing.
     *
     * @throws UnsupportedOperationException unless {@link #canRunWhenReadable()}
     */
    default void runWhenReadable(Runnable task) {
        throw new UnsupportedOperationException("this transport waits with a thread");
    }

    /**
     * A builder of this connection's thread: {@code Thread.ofVirtual()}, or, for the epoll transport
     * on carriers, one that puts the thread on the carrier that polls this socket.
     */
    default Thread.Builder.OfVirtual threadBuilder() {
        return Thread.ofVirtual();
    }

    /** Whether this socket runs TLS. */
    default boolean isSecure() {
        return false;
    }

    /** Runs the TLS handshake; only a secure socket has one. */
    default void handshake() throws IOException {
        throw new IllegalStateException("not a TLS socket");
    }
}
