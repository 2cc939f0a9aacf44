package dev.weft.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.time.Duration;

/**
 * One accepted TCP connection, as its handler sees it.
 *
 * <p>Everything here is meant to be called from the connection's own virtual thread (named
 * {@code weft-conn-<id>}); {@link #close()} may also be called from any other thread, and one other
 * thread may write ({@link #out()}, {@link #shutdownOutput()}) while the connection's thread reads,
 * as a proxy's relay does.
 *
 * <p>The streams are unbuffered views of the socket that also enforce the server's timeouts: a read
 * that waits longer than the {@linkplain #readTimeout(Duration) read timeout} fails with
 * {@link java.net.SocketTimeoutException}, and a write that makes no progress for the write timeout
 * fails the same way and closes the connection. Wrap them in buffered streams as the protocol needs.
 */
public interface Connection extends AutoCloseable {

    /** This connection's id, unique within its server, also found in its thread's name and log lines. */
    long id();

    /**
     * How long ago the server accepted this connection. With
     * {@link TcpServer.Builder#clientSpeaksFirst(Duration)} the handler starts only when the first
     * bytes arrive, so a deadline meant to count from accept subtracts this.
     */
    Duration age();

    /** The peer's address. */
    InetSocketAddress remoteAddress();

    /** The local address the peer connected to. */
    InetSocketAddress localAddress();

    /**
     * The bytes from the peer. {@code read} blocks this virtual thread only, returns -1 once the
     * peer has closed its side, and returns -1 as well when the server is shutting down and no
     * data is waiting.
     */
    InputStream in();

    /** The bytes to the peer; each {@code write} returns once the kernel has taken every byte. */
    OutputStream out();

    /**
     * Sets how long a single read may wait for data before it fails, replacing the server's idle
     * timeout for this connection. Protocols use it to tighten the wait at points they know.
     *
     * @param timeout a positive duration
     */
    void readTimeout(Duration timeout);

    /**
     * Sets a deadline for reading, {@code fromNow} from now: a read still waiting then fails with
     * {@link java.net.SocketTimeoutException}, however recently the last byte came. Unlike the
     * per-read timeout, a peer cannot push it back by trickling bytes (the Slowloris attack). After a
     * read timeout the input is shut down, but the connection can still write (an HTTP 408, say).
     *
     * @param fromNow how long from now; {@link Duration#ZERO} or less fails the next waiting read
     */
    void readDeadline(Duration fromNow);

    /** Removes the deadline set by {@link #readDeadline(Duration)}. */
    void clearReadDeadline();

    /**
     * Hands the connection back to the server until its next bytes come, so no thread waits
     * meanwhile: call it as the handler's last act, then return. When bytes come (or the peer
     * closes), {@code next} runs as the handler on a new virtual thread. If none come within
     * {@code timeout}, or a graceful close comes first, the connection closes ({@code read_timeout},
     * {@code shutdown}) and {@code next} never runs. Bytes the handler read into its own buffer and
     * did not use announce nothing: call it only with nothing left over.
     *
     * <p>Request/response protocols use it between requests ({@code HttpServer} does, between
     * keep-alive requests), so idle connections hold no stack. {@code next} starts with the
     * server's idle timeout and no deadline, like a new connection; the last call before returning
     * wins, and a handler that throws after it ends the connection as usual. The timeout fires
     * within the server's watchdog interval (at most 250 ms late).
     *
     * @return false, having done nothing, where the transport cannot wait without a thread
     *         ({@link Transport#JDK}, TLS) or after the end of stream: then read on, on this thread
     */
    boolean continueWhenReadable(Duration timeout, ConnectionHandler next);

    /**
     * Tells the server whether this connection is in the middle of a message (true) or between
     * messages (false, the default). A graceful {@linkplain TcpServer#close() close} ends reads only
     * between messages: a message that has begun is read to its end (bounded by the read timeout and
     * the drain timeout), so a protocol whose messages span several reads, such as an HTTP request
     * with a body, is not cut in half. The first read after the message ended sees end-of-stream.
     */
    void midMessage(boolean value);

    /**
     * Sets the minimum rate at which the peer must take this connection's output, for the rest of
     * its life; 0 turns it off (the default). The write timeout catches a peer that stops reading;
     * this catches one that reads, but a few bytes at a time (the slow-read attack), and would
     * otherwise hold the connection for hours.
     *
     * <p>Only time the server spends waiting on the peer counts: a write blocked because the socket's
     * buffers are full. Time between writes does not, so a handler that writes slowly on purpose
     * (server-sent events, a stream paced by its source) is never cut while its peer keeps up. Each
     * byte written earns {@code 1 / bytesPerSecond} seconds of such waiting, from the moment its write
     * begins; what the peer saves by reading faster carries over, up to {@code grace}, which is also
     * what it starts with. A write still waiting when that runs out fails with
     * {@link java.net.SocketTimeoutException}, within the server's watchdog interval, and the
     * connection is closed with a reset ({@code closed{cause=slow_reader}}): a plain close would
     * leave the unsent bytes in the kernel, still trickling to the same peer. Put as an average:
     * over the time the server waited on it, since the grace began, the peer took at least
     * {@code bytesPerSecond}.
     *
     * <p>While a minimum is set, writes go to the socket in pieces of 8 KiB (or one grace period's
     * worth at the minimum rate, up to 64 KiB), since the socket reports what it took only when a
     * write returns: a peer that stops keeping up is cut within {@code grace} plus one piece at the
     * minimum rate.
     *
     * @param bytesPerSecond the lowest rate accepted, 0 for no minimum
     * @param grace          how far behind the minimum the peer may fall; zero or more
     */
    void minSendRate(long bytesPerSecond, Duration grace);

    /**
     * Sets a socket option on this connection, for example
     * {@link java.net.StandardSocketOptions#TCP_NODELAY}.
     *
     * @throws IOException if the socket refuses it
     */
    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    /**
     * Reads a socket option of this connection, for example to check what the kernel granted for
     * {@link java.net.StandardSocketOptions#SO_RCVBUF}.
     *
     * @throws IOException if the socket is closed
     */
    <T> T getOption(SocketOption<T> option) throws IOException;

    /**
     * Half-closes: sends FIN to the peer after the bytes already written, while reading stays open.
     *
     * @throws IOException if the socket is already closed
     */
    void shutdownOutput() throws IOException;

    /** Whether this connection runs over TLS. */
    boolean isSecure();

    /** Whether this connection is closed, by either side's {@link #close()} or the server. */
    boolean isClosed();

    /** Closes the socket. A read or write blocked in another thread fails at once. Idempotent. */
    @Override
    void close();
}
