package dev.weft.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * The server's side of one connection: the socket, the timeout bookkeeping the {@link Watchdog}
 * reads, and the one place that decides why the connection ended.
 *
 * <p>Reads and writes run on the connection's virtual thread (one at a time: after
 * {@link #continueWhenReadable} the next message gets a new one). The watchdog thread and
 * {@link TcpServer#close()} touch only the volatile fields and {@link #forceClose(CloseCause)}.
 * A blocking read or write has no deadline of its own here: {@code Socket.setSoTimeout} would make
 * every read a timed park (a scheduled task per read in the JDK's virtual-thread unparker), so the
 * watchdog instead shuts the input down (a timed-out read fails with
 * {@link SocketTimeoutException} and the handler may still answer, say with HTTP 408) or closes the
 * socket (a write that made no progress fails at once).
 */
final class TcpConnection implements Connection {

    /** Marks "not blocked in a read/write" in {@link #readingSince} and {@link #writingSince}. */
    static final long IDLE = Long.MIN_VALUE;
    /** Writes are split so that a slow but live reader keeps resetting the write timeout. */
    static final int WRITE_CHUNK = 64 * 1024;

    private static final VarHandle FORCED;

    static {
        try {
            FORCED = MethodHandles.lookup().findVarHandle(TcpConnection.class, "forcedCause", CloseCause.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;
    private final long acceptedNanos = System.nanoTime();
    private final SocketIo io;
    private final TcpServer server;
    private final ConnectionInput in;
    private final ConnectionOutput out;

    volatile long readingSince = IDLE;
    volatile long writingSince = IDLE;
    volatile long readTimeoutNanos;
    /** The {@link System#nanoTime()} by which a read must have returned, or {@link #IDLE} for none. */
    volatile long readDeadline = IDLE;
    /** Set by the protocol while a message is being read: a graceful close then lets the read go on. */
    volatile boolean midMessage;
    /** The minimum send rate, or null for none ({@link #minSendRate}). */
    private volatile SendRate sendRate;
    @SuppressWarnings("unused") // written through FORCED
    private volatile CloseCause forcedCause;
    /** The first I/O failure the streams saw; only the connection's thread touches it. */
    private volatile IOException firstFailure; // a reader and a writer thread may both fail: either may win
    private boolean sawEndOfStream;
    private InetSocketAddress remote;
    /** The address the client connected to, from a PROXY header; null for the socket's own. */
    private InetSocketAddress proxiedLocal;
    /** Whether a PROXY header is still to be read (the server expects one, before anything else). */
    private boolean proxyHeaderPending;
    /** Its threads' name, made at the first start (a connection may get a new thread per message). */
    private String threadName;
    /** Set by {@link #continueWhenReadable}; only the connection's current thread touches them. */
    private ConnectionHandler next;
    private long nextTimeoutNanos;

    TcpConnection(long id, SocketIo io, TcpServer server) {
        this.id = id;
        this.io = io;
        this.server = server;
        this.in = new ConnectionInput(this);
        this.out = new ConnectionOutput(this);
        this.readTimeoutNanos = server.idleTimeoutNanos();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - acceptedNanos);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        // The JDK's socket builds a new address object per call; an HTTP server asks once per request.
        // A racy first call is harmless: the address is immutable and the same every time.
        InetSocketAddress address = remote;
        if (address == null) {
            address = io.remoteAddress();
            remote = address;
        }
        return address;
    }

    @Override
    public InetSocketAddress localAddress() {
        return proxiedLocal != null ? proxiedLocal : io.localAddress();
    }

    /** The server expects this connection to begin with a PROXY protocol header. */
    void expectProxyHeader() {
        proxyHeaderPending = true;
    }

    /**
     * Reads the PROXY header if one is still expected, within {@code timeout}; from then on the
     * connection's addresses are the ones it names.
     */
    void readProxyHeader(Duration timeout) throws IOException {
        if (!proxyHeaderPending) {
            return;
        }
        proxyHeaderPending = false;
        readDeadline(timeout);
        ProxyProtocol.Header header = ProxyProtocol.read(in);
        clearReadDeadline();
        if (header.source() != null) {
            remote = header.source();
            proxiedLocal = header.destination();
        }
    }

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public void readTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("read timeout must be positive, was " + timeout);
        }
        readTimeoutNanos = timeout.toNanos();
    }

    @Override
    public void readDeadline(Duration fromNow) {
        Objects.requireNonNull(fromNow, "fromNow");
        long deadline = System.nanoTime() + fromNow.toNanos();
        readDeadline = deadline == IDLE ? deadline + 1 : deadline;
    }

    @Override
    public void clearReadDeadline() {
        readDeadline = IDLE;
    }

    @Override
    public void midMessage(boolean value) {
        midMessage = value;
    }

    @Override
    public void minSendRate(long bytesPerSecond, Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytesPerSecond must not be negative, was " + bytesPerSecond);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, was " + grace);
        }
        sendRate = bytesPerSecond == 0 ? null : new SendRate(bytesPerSecond, grace);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        io.setOption(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return io.getOption(option);
    }

    @Override
    public void shutdownOutput() throws IOException {
        // With TLS this writes close_notify, which can block like any write.
        writingSince = System.nanoTime();
        try {
            io.shutdownOutput();
        } finally {
            writingSince = IDLE;
        }
    }

    @Override
    public boolean isClosed() {
        return io.isClosed();
    }

    @Override
    public boolean isSecure() {
        return io.isSecure();
    }

    @Override
    public void close() {
        try {
            io.close();
        } catch (IOException ignored) {
            // Closing a socket reports nothing the caller could act on.
        }
    }

    /**
     * Runs the TLS handshake on this connection's thread, within {@code timeout} (the watchdog ends
     * it like a read that passed its deadline).
     */
    void handshake(Duration timeout) throws IOException {
        readDeadline(timeout);
        readingSince = System.nanoTime();
        try {
            io.handshake();
        } catch (IOException e) {
            throw failed(e);
        } finally {
            readingSince = IDLE;
            readDeadline = IDLE;
        }
    }

    @Override
    public String toString() {
        return "conn " + id + " " + remoteAddress();
    }

    @Override
    public boolean continueWhenReadable(Duration timeout, ConnectionHandler next) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(next, "next");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (!canWaitWithoutThread() || sawEndOfStream) {
            return false; // after the end of stream there is nothing to wait for: the next read says so again
        }
        this.nextTimeoutNanos = nanos(timeout);
        this.next = next;
        return true;
    }

    /** {@code d} in nanoseconds, or {@link Long#MAX_VALUE} for durations too long for a long (forever). */
    static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** The handler {@link #continueWhenReadable} left for the server, or null; cleared. */
    ConnectionHandler takeNext() {
        ConnectionHandler h = next;
        next = null;
        return h;
    }

    long nextTimeoutNanos() {
        return nextTimeoutNanos;
    }

    String threadName() {
        String n = threadName;
        if (n == null) {
            n = "weft-conn-" + id;
            threadName = n;
        }
        return n;
    }

    boolean canWaitWithoutThread() {
        return io.canRunWhenReadable();
    }

    /**
     * Begins a wait for bytes with no thread (see {@link TcpServer}): timed by the watchdog, and
     * ended by a graceful close, like a read between messages.
     */
    void awaitingBytes(long timeoutNanos) {
        readTimeoutNanos = timeoutNanos;
        readDeadline = IDLE;
        midMessage = false;
        readingSince = System.nanoTime();
    }

    void runWhenReadable(Runnable task) {
        io.runWhenReadable(task);
    }

    /** A builder of this connection's thread: see {@link SocketIo#threadBuilder()}. */
    Thread.Builder.OfVirtual threadBuilder() {
        return io.threadBuilder();
    }

    /**
     * Ends the wait begun by {@link #awaitingBytes}, on the connection's new thread. Returns false if
     * the server ended it (timeout, graceful close): then no handler is to run.
     */
    boolean bytesCame() {
        readingSince = IDLE;
        readTimeoutNanos = server.idleTimeoutNanos();
        return FORCED.getVolatile(this) == null;
    }

    int read(byte[] b, int off, int len) throws IOException {
        // Published before the draining check: close() sets draining and then looks at readingSince,
        // so one of the two always sees the other (both volatile).
        readingSince = System.nanoTime();
        try {
            if (server.isDraining() && !midMessage && io.available() == 0) {
                FORCED.compareAndSet(this, null, CloseCause.SHUTDOWN);
                return -1;
            }
            // A read that timed out earlier finds its input shut down: it returns at once and the
            // check below turns that into the timeout again.
            int n;
            try {
                n = io.read(b, off, len);
            } catch (IOException e) {
                if (FORCED.getVolatile(this) == CloseCause.SHUTDOWN) {
                    return -1; // a TLS socket reports the drain's shutdownInput as an error
                }
                throw e;
            }
            if (FORCED.getVolatile(this) == CloseCause.READ_TIMEOUT) {
                throw new IOException("input shut down by the read timeout");
            }
            if (n > 0) {
                server.metrics().bytesRead.add(n);
            } else if (n < 0) {
                sawEndOfStream = true;
            }
            return n;
        } catch (IOException e) {
            throw failed(e);
        } finally {
            readingSince = IDLE;
        }
    }

    int available() throws IOException {
        try {
            return io.available();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    void write(byte[] b, int off, int len) throws IOException {
        SendRate rate = sendRate;
        int most = rate == null ? WRITE_CHUNK : rate.piece();
        int written = 0;
        try {
            while (written < len) {
                int chunk = Math.min(len - written, most);
                long now = System.nanoTime();
                writingSince = now;
                if (rate != null) {
                    rate.writing(chunk, now);
                }
                io.write(b, off + written, chunk);
                if (rate != null) {
                    rate.wrote(System.nanoTime());
                }
                written += chunk;
            }
        } catch (IOException e) {
            throw failed(e);
        } finally {
            writingSince = IDLE;
            if (rate != null) {
                rate.stopped();
            }
            server.metrics().bytesWritten.add(written);
        }
    }

    /**
     * Called by the watchdog: fails a read that has waited too long or passed its deadline (by
     * shutting the input down, so the handler can still write), or a write that made no progress or
     * has waited longer than the minimum send rate allows (by closing the socket).
     */
    void checkTimeouts(long now, long writeTimeoutNanos) {
        long r = readingSince;
        if (r != IDLE) {
            long deadline = readDeadline;
            if (now - r > readTimeoutNanos || (deadline != IDLE && now - deadline > 0)) {
                timeOutRead();
            }
        }
        long w = writingSince;
        if (w != IDLE && now - w > writeTimeoutNanos) {
            forceClose(CloseCause.WRITE_TIMEOUT);
        }
        SendRate rate = sendRate;
        if (rate != null && rate.isLate(now)) {
            reset(CloseCause.SLOW_READER);
        }
    }

    /**
     * Records {@code cause} unless one was recorded already, then closes the socket with a reset
     * ({@code SO_LINGER} 0): the response is cut anyway, and a plain close would leave the unsent
     * bytes in the kernel, still trickling to the same slow peer for as long as it keeps reading
     * (nginx's {@code reset_timedout_connection} does the same, as an option).
     */
    private void reset(CloseCause cause) {
        FORCED.compareAndSet(this, null, cause);
        try {
            io.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            // Closed already, or the transport refused: the close below still ends the connection.
        }
        close();
    }

    /**
     * Called by a graceful close: a connection waiting for its next message is ended now (its read
     * returns -1), one in the middle of work or of reading a message finishes it and ends at its next
     * read between messages.
     */
    void drain() {
        if (readingSince != IDLE && !midMessage) {
            FORCED.compareAndSet(this, null, CloseCause.SHUTDOWN);
            try {
                io.shutdownInput(); // wakes the parked reader, which then sees end-of-stream
            } catch (IOException ignored) {
                // Already closed: nothing left to drain.
            }
        }
    }

    private void timeOutRead() {
        if (FORCED.compareAndSet(this, null, CloseCause.READ_TIMEOUT)) {
            try {
                io.shutdownInput(); // as in drain(): wakes the parked reader
            } catch (IOException e) {
                close();
            }
        }
    }

    /** Records {@code cause} unless one was recorded already, then closes the socket. */
    void forceClose(CloseCause cause) {
        FORCED.compareAndSet(this, null, cause);
        close();
    }

    /**
     * Decides why this connection ended: a cause the server forced, else the handler's exception or
     * the first failure its streams saw, else whether the peer closed first.
     */
    CloseCause closeCause(Throwable thrown) {
        CloseCause forced = (CloseCause) FORCED.getVolatile(this);
        if (forced != null) {
            return forced;
        }
        CloseCause fromThrown = classify(thrown);
        if (fromThrown != null) {
            return fromThrown;
        }
        if (thrown != null) {
            return CloseCause.HANDLER_ERROR;
        }
        CloseCause fromStreams = classify(firstFailure);
        if (fromStreams != null) {
            return fromStreams;
        }
        return sawEndOfStream ? CloseCause.PEER_CLOSED : CloseCause.COMPLETED;
    }

    /**
     * Maps a failure to the peer, network or timeout cause it stands for, or {@code null} for
     * anything else; by type only (the transports give network failures theirs, see
     * {@link NetworkException}).
     */
    static CloseCause classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NetworkException n) {
                return switch (n.kind()) {
                    case RESET -> CloseCause.RESET;
                    case BROKEN_PIPE -> CloseCause.BROKEN_PIPE;
                    case TIMED_OUT, HOST_UNREACHABLE, NETWORK_UNREACHABLE, ABORTED -> CloseCause.NETWORK_ERROR;
                };
            }
            if (t instanceof SocketTimeoutException) {
                return CloseCause.READ_TIMEOUT;
            }
            if (t instanceof SSLException) {
                return CloseCause.TLS_ERROR;
            }
            if (t instanceof ProxyProtocol.MalformedException) {
                return CloseCause.PROTOCOL_ERROR;
            }
        }
        return null;
    }

    /** Remembers the first failure and turns a watchdog close into the timeout it stands for. */
    private IOException failed(IOException e) {
        CloseCause forced = (CloseCause) FORCED.getVolatile(this);
        IOException result = e;
        if (forced == CloseCause.READ_TIMEOUT) {
            result = timeout("read waited longer than " + Duration.ofNanos(readTimeoutNanos), e);
        } else if (forced == CloseCause.WRITE_TIMEOUT) {
            result = timeout("write made no progress for "
                    + server.options().writeTimeout() + " (the peer stopped reading)", e);
        } else if (forced == CloseCause.SLOW_READER) {
            SendRate rate = sendRate;
            result = timeout("the peer took bytes slower than the minimum send rate"
                    + (rate == null ? "" : " of " + rate), e);
        }
        if (firstFailure == null) {
            firstFailure = result;
        }
        return result;
    }

    private SocketTimeoutException timeout(String what, IOException cause) {
        SocketTimeoutException e = new SocketTimeoutException("conn " + id + ": " + what);
        e.initCause(cause);
        return e;
    }
}
