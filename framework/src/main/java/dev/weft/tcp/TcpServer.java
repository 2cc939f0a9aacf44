package dev.weft.tcp;

import dev.weft.internal.MeterNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import jdk.net.ExtendedSocketOptions;

/**
 * A TCP server that runs each accepted connection's {@link ConnectionHandler} on its own virtual
 * thread.
 *
 * <pre>{@code
 * TcpServer server = TcpServer.builder()
 *         .port(8888)
 *         .handler(conn -> conn.in().transferTo(conn.out()))
 *         .start();
 * ...
 * server.close();   // stop accepting, let busy connections finish, close the rest
 * }</pre>
 *
 * <p>One platform thread accepts; a {@link Semaphore} permit is taken <em>before</em>
 * {@code accept()}, so at {@code maxConnections} new connections wait in the kernel backlog
 * (see {@link LimitMode}). One more platform thread, the watchdog, enforces read and write timeouts.
 * Everything else runs on virtual threads named {@code weft-conn-<id>}; with
 * {@link Builder#clientSpeaksFirst(Duration)} on {@link Transport#EPOLL}, a connection gets its thread
 * only when its first bytes come, so silent connections cost no thread. The accept loop survives
 * transient errors (EMFILE, ECONNABORTED): it counts them, logs the first of a burst, and backs off
 * for up to a second.
 *
 * <p>Meters (Micrometer, tag {@code server=<name>}): {@code weft.tcp.connections.active},
 * {@code .opened}, {@code .rejected}, {@code .limit.waits}, {@code .closed{cause}},
 * {@code weft.tcp.accept.errors}, {@code weft.tcp.bytes.read}, {@code weft.tcp.bytes.written}.
 *
 * <p>Thread-safe. {@link #close()} blocks until every connection has ended.
 */
public final class TcpServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());
    /** After the drain timeout, force-closed connections get this long to unwind. */
    private static final Duration UNWIND_TIMEOUT = Duration.ofSeconds(5);
    /** Default for {@link Builder#handshakeTimeout(Duration)}. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final MeterNames.Claim claim;
    private final ServerOptions options;
    private final ConnectionHandler handler;
    private final ServerSocketIo serverSocket;
    private final Transport transport;
    private final InetSocketAddress localAddress;
    private final Set<TcpConnection> connections = ConcurrentHashMap.newKeySet();
    private final Semaphore permits;
    private final TcpMetrics metrics;
    private final Watchdog watchdog;
    private final Thread acceptThread;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition connectionEnded = lock.newCondition();
    private volatile boolean draining;
    private final SSLContext tls;
    private final Duration handshakeTimeout;
    private final boolean acceptProxyProtocol;
    /** Null: each handler starts at accept; else see {@link Builder#clientSpeaksFirst(Duration)}. */
    private final Duration firstBytesTimeout;
    private final long firstBytesTimeoutNanos;
    private final long idleTimeoutNanos;
    /**
     * Makes each connection's (virtual) thread; a test may give one that fails. Null: the socket's
     * own builder ({@link SocketIo#threadBuilder()}), which for the epoll transport on carriers puts
     * the thread on the carrier that polls the socket.
     */
    private final ThreadFactory connectionThreads;

    private TcpServer(Builder b, Transport transport) throws IOException {
        // Held until close: two servers of one name would share (and on close remove) each other's meters.
        this.claim = MeterNames.claim(b.registry, "server", b.name, b.nameChosen);
        this.name = claim.name();
        this.options = b.options;
        this.handler = b.handler;
        this.tls = b.tls;
        this.handshakeTimeout = b.handshakeTimeout;
        this.acceptProxyProtocol = b.acceptProxyProtocol;
        if (acceptProxyProtocol && b.tls != null) {
            // The header comes before the TLS handshake, under the TLS layer this transport reads through.
            throw new IllegalStateException("the PROXY protocol together with TLS is not supported yet");
        }
        this.firstBytesTimeout = b.firstBytesTimeout;
        this.firstBytesTimeoutNanos = firstBytesTimeout == null ? 0 : TcpConnection.nanos(firstBytesTimeout);
        this.idleTimeoutNanos = TcpConnection.nanos(options.idleTimeout());
        this.connectionThreads = b.connectionThreads;
        this.permits = new Semaphore(options.maxConnections());
        this.transport = transport;
        try {
            this.serverSocket = Transports.listen(transport, new InetSocketAddress(options.bindAddress(), options.port()),
                    options.backlog(), (Integer) options.socketOptions().get(StandardSocketOptions.SO_RCVBUF));
        } catch (IOException | RuntimeException e) {
            claim.close();
            throw e;
        }
        this.localAddress = serverSocket.localAddress();
        this.metrics = new TcpMetrics(b.registry, name, connections::size);
        this.watchdog = new Watchdog("weft-watchdog-" + name, connections, options, firstBytesTimeout);
        this.acceptThread = Thread.ofPlatform().name("weft-accept-" + name).unstarted(this::acceptLoop);
    }

    /** A builder with {@link ServerOptions#DEFAULTS}; only the handler must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The port this server listens on, the kernel's pick when 0 was asked for. */
    public int port() {
        return localAddress.getPort();
    }

    /** The address this server listens on. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** How this server talks to its sockets. */
    public Transport transport() {
        return transport;
    }

    /** The server's name, the value of its meters' {@code server} tag. */
    public String name() {
        return name;
    }

    /** The settings this server runs with. */
    public ServerOptions options() {
        return options;
    }

    /** How many connections are open now. */
    public int activeConnections() {
        return connections.size();
    }

    /** Whether {@link #close()} has begun. */
    public boolean isClosing() {
        return closing.get();
    }

    /** Blocks until this server has been closed and every connection has ended. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /**
     * Closes gracefully: stops accepting, ends connections that wait for their next message, lets
     * busy ones finish for up to the drain timeout, then closes the rest (counted as
     * {@link CloseCause#SHUTDOWN}). Blocks until all have ended; calling it again just waits.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitQuietly();
            return;
        }
        draining = true;
        try {
            serverSocket.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing the listening socket failed", e);
        }
        acceptThread.interrupt();
        joinQuietly(acceptThread);
        connections.forEach(TcpConnection::drain);
        if (!awaitNoConnections(options.drainTimeout())) {
            LOG.log(Level.INFO, "{0}: {1} connections still busy after the drain timeout of {2}; closing them",
                    name, connections.size(), options.drainTimeout());
            connections.forEach(c -> c.forceClose(CloseCause.SHUTDOWN));
            if (!awaitNoConnections(UNWIND_TIMEOUT)) {
                LOG.log(Level.WARNING, "{0}: {1} handlers ignored their closed sockets", name, connections.size());
            }
        }
        try {
            watchdog.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        metrics.close();
        claim.close();
        closed.countDown();
    }

    @Override
    public String toString() {
        return "TcpServer[" + name + " " + localAddress() + ", " + connections.size() + " connections]";
    }

    boolean isDraining() {
        return draining;
    }

    /** A new connection's read timeout, and a handler's again after a wait without a thread. */
    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    TcpMetrics metrics() {
        return metrics;
    }

    private void start() {
        watchdog.start();
        acceptThread.start();
        LOG.log(Level.INFO, "{0} listening on {1}", name, localAddress());
    }

    private void acceptLoop() {
        boolean backpressure = options.limitMode() == LimitMode.BACKPRESSURE;
        FailureBurst failures = new FailureBurst(LOG, name + ": accept");
        while (!serverSocket.isClosed()) {
            boolean permitted = false;
            SocketIo socket = null;
            try {
                if (backpressure) {
                    if (!permits.tryAcquire()) {
                        metrics.limitWaits.increment();
                        permits.acquire();
                    }
                    permitted = true;
                }
                socket = serverSocket.accept();
                failures.succeeded();
                if (!permitted && !permits.tryAcquire()) {
                    reject(socket);
                    continue;
                }
                permitted = false; // the connection owns the permit now
                serve(socket);
            } catch (InterruptedException e) {
                break; // close() interrupts a loop that waits for a permit
            } catch (IOException | RuntimeException e) {
                if (serverSocket.isClosed()) {
                    break;
                }
                metrics.acceptErrors.increment();
                // A failure such as EMFILE repeats at once; waiting lets connections close and free descriptors.
                LockSupport.parkNanos(failures.failed(Level.WARNING, () -> name + ": accept failed, backing off"
                        + " (further failures in this burst are counted in weft.tcp.accept.errors, not logged)", e));
            } finally {
                if (permitted) {
                    permits.release();
                }
            }
        }
    }

    private void reject(SocketIo socket) {
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "{0}: at the limit of {1} connections, rejected {2}",
                    name, options.maxConnections(), socket.remoteAddress());
        }
        closeQuietly(socket);
        metrics.rejected.increment();
        metrics.closed(CloseCause.LIMIT);
    }

    /**
     * Takes over an accepted socket that holds a permit: starts its virtual thread, at once or, with
     * {@link Builder#clientSpeaksFirst}, when the first bytes come.
     */
    private void serve(SocketIo socket) {
        TcpConnection connection;
        try {
            applySocketOptions(socket);
            SocketIo io = tls == null ? socket : ((JdkSocketIo) socket).withTls(tls);
            connection = new TcpConnection(ids.incrementAndGet(), io, this);
            if (acceptProxyProtocol) {
                connection.expectProxyHeader();
            }
        } catch (IOException e) {
            // The peer may already be gone (options fail on a reset socket): nothing was served.
            LOG.log(Level.DEBUG, "{0}: dropped an accepted socket: {1}", name, e.toString());
            closeQuietly(socket);
            permits.release();
            return;
        }
        connections.add(connection);
        metrics.opened.increment();
        if (firstBytesTimeout != null && connection.canWaitWithoutThread()) {
            waitWithoutThread(connection, firstBytesTimeoutNanos, handler);
        } else {
            startOrEnd(connection, handler, false);
        }
    }

    /**
     * Lets {@code connection} wait for its next bytes with no thread, then run {@code next} on a new
     * one; the watchdog times the wait out and a graceful close ends it, as they would a read.
     */
    private void waitWithoutThread(TcpConnection connection, long timeoutNanos, ConnectionHandler next) {
        connection.awaitingBytes(timeoutNanos);
        // Read after the wait was published, as close() sets draining before it looks: one of the two
        // sees the other. A close that may have passed this connection by: no wait, the handler's
        // read ends it (or serves what already came, as for a read between messages).
        if (draining) {
            startOrEnd(connection, next, true);
        } else {
            connection.runWhenReadable(() -> startOrEnd(connection, next, true));
        }
    }

    /**
     * Starts the connection's virtual thread. Runs on the accept thread, a poller or a closing
     * thread, none of which may die of it: if the thread cannot start (out of memory, a scheduler
     * that refuses), the connection ends here, its socket closed and its permit returned. The thread
     * comes from the connection's own builder (or a test's factory), never from a plain
     * {@code Thread.ofVirtual()}, which on a poller running on a carrier would inherit the poller's
     * scheduler instead of being given the socket's carrier.
     */
    private void startOrEnd(TcpConnection connection, ConnectionHandler h, boolean waited) {
        try {
            Runnable body = () -> run(connection, h, waited);
            Thread thread = connectionThreads == null ? connection.threadBuilder().unstarted(body)
                    : connectionThreads.newThread(body);
            if (thread == null) {
                throw new RejectedExecutionException("the thread factory made no thread");
            }
            thread.setName(connection.threadName());
            thread.start();
        } catch (RuntimeException | Error e) {
            finish(connection, new ThreadNotStarted(e));
        }
    }

    /** Why a connection ended before its thread ran; counted as {@link CloseCause#HANDLER_ERROR}. */
    private static final class ThreadNotStarted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ThreadNotStarted(Throwable cause) {
            super("its thread could not be started: " + cause, cause);
        }
    }

    /** The body of every connection's virtual thread. */
    private void run(TcpConnection connection, ConnectionHandler h, boolean waited) {
        Throwable thrown = null;
        try {
            // A wait the server ended (timeout, graceful close) never reaches the handler.
            if (!waited || connection.bytesCame()) {
                connection.readProxyHeader(handshakeTimeout);
                if (tls != null) {
                    connection.handshake(handshakeTimeout);
                }
                h.handle(connection);
                ConnectionHandler next = connection.takeNext();
                if (next != null && !connection.isClosed()) {
                    waitWithoutThread(connection, connection.nextTimeoutNanos(), next);
                    return; // the connection lives on without a thread
                }
            }
        } catch (Throwable t) {
            thrown = t;
        }
        finish(connection, thrown);
        if (thrown instanceof VirtualMachineError error) {
            throw error;
        }
    }

    private void finish(TcpConnection connection, Throwable thrown) {
        CloseCause cause = connection.closeCause(thrown);
        connection.close();
        log(connection, cause, thrown);
        metrics.closed(cause);
        connections.remove(connection);
        permits.release();
        if (draining) {
            signalConnectionEnded();
        }
    }

    private void log(TcpConnection connection, CloseCause cause, Throwable thrown) {
        if (cause == CloseCause.HANDLER_ERROR) {
            LOG.log(Level.WARNING, connection + (thrown instanceof ThreadNotStarted
                    ? ": not served, its thread could not be started" : ": handler failed"), thrown);
        } else if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "{0}: closed ({1}){2}", connection, cause.tag(),
                    thrown == null ? "" : ": " + thrown);
        }
    }

    private void applySocketOptions(SocketIo socket) throws IOException {
        for (Map.Entry<SocketOption<?>, Object> e : options.socketOptions().entrySet()) {
            setOption(socket, e.getKey(), e.getValue());
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void setOption(SocketIo socket, SocketOption<T> option, Object value) throws IOException {
        socket.setOption(option, (T) value);
    }

    private boolean awaitNoConnections(Duration timeout) {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (!connections.isEmpty()) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = connectionEnded.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return connections.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private void signalConnectionEnded() {
        lock.lock();
        try {
            connectionEnded.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void awaitQuietly() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketIo socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to do about a socket that will not close.
        }
    }

    /**
     * Configures and starts a {@link TcpServer}. Starts from {@link ServerOptions#DEFAULTS}; every
     * setter replaces one field. Not thread-safe.
     */
    public static final class Builder {

        private ServerOptions options = ServerOptions.DEFAULTS;
        private ConnectionHandler handler;
        private MeterRegistry registry = Metrics.globalRegistry;
        private String name = "tcp";
        private boolean nameChosen;
        private SSLContext tls;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private boolean acceptProxyProtocol;
        /** Null until set: then the system property decides (see {@link Transport}). */
        private Transport transport;
        private Duration firstBytesTimeout;
        private ThreadFactory connectionThreads;

        private Builder() {
        }

        /** Replaces all settings at once. */
        public Builder options(ServerOptions value) {
            options = Objects.requireNonNull(value, "options");
            return this;
        }

        /** The code that serves each connection (required). */
        public Builder handler(ConnectionHandler value) {
            handler = Objects.requireNonNull(value, "handler");
            return this;
        }

        /** Where meters go; default {@link Metrics#globalRegistry}. */
        public Builder meterRegistry(MeterRegistry value) {
            registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        /**
         * Names the server in thread names, log lines and the {@code server} meter tag; default "tcp".
         * Names are unique per meter registry while the server runs: a name given here that another
         * server holds fails {@code start()}; the default becomes "tcp-2", "tcp-3", ... when taken.
         */
        public Builder name(String value) {
            name = Objects.requireNonNull(value, "name");
            nameChosen = true;
            return this;
        }

        /** The address to listen on; default every interface. */
        public Builder bindAddress(InetAddress value) {
            options = options.withBindAddress(value);
            return this;
        }

        /** The port, 0 (the default) for one the kernel picks. */
        public Builder port(int value) {
            options = options.withPort(value);
            return this;
        }

        /** The listen backlog; the kernel caps it at {@code net.core.somaxconn}. */
        public Builder backlog(int value) {
            options = options.withBacklog(value);
            return this;
        }

        /** How many connections may be open at once; default 10,000. */
        public Builder maxConnections(int value) {
            options = options.withMaxConnections(value);
            return this;
        }

        /** What happens at {@code maxConnections}; default {@link LimitMode#BACKPRESSURE}. */
        public Builder limitMode(LimitMode value) {
            options = options.withLimitMode(value);
            return this;
        }

        /** How long one read may wait for data; default 5 minutes. */
        public Builder idleTimeout(Duration value) {
            options = options.withIdleTimeout(value);
            return this;
        }

        /** How long a write may make no progress; default 60 seconds. */
        public Builder writeTimeout(Duration value) {
            options = options.withWriteTimeout(value);
            return this;
        }

        /** How long {@link TcpServer#close()} lets busy connections finish; default 30 seconds. */
        public Builder drainTimeout(Duration value) {
            options = options.withDrainTimeout(value);
            return this;
        }

        /** TCP_NODELAY on accepted sockets; default on. */
        public Builder tcpNoDelay(boolean value) {
            return socketOption(StandardSocketOptions.TCP_NODELAY, value);
        }

        /**
         * Turns on TCP keep-alive probes: the first after {@code idle} without traffic, then every
         * {@code interval}, giving up after {@code count} unanswered probes.
         */
        public Builder keepAlive(Duration idle, Duration interval, int count) {
            socketOption(StandardSocketOptions.SO_KEEPALIVE, true);
            socketOption(ExtendedSocketOptions.TCP_KEEPIDLE, seconds(idle));
            socketOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, seconds(interval));
            return socketOption(ExtendedSocketOptions.TCP_KEEPCOUNT, count);
        }

        /**
         * Serves TLS on every connection with this context (see {@link Tls} to load a key and
         * certificate). The handshake runs on the connection's virtual thread before the handler,
         * within the {@linkplain #handshakeTimeout(Duration) handshake timeout}.
         */
        public Builder tls(SSLContext context) {
            this.tls = Objects.requireNonNull(context, "context");
            return this;
        }

        /** How long a TLS handshake may take; default 10 seconds. A failed one is counted as {@code tls_error}. */
        public Builder handshakeTimeout(Duration value) {
            Objects.requireNonNull(value, "handshakeTimeout");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive, was " + value);
            }
            this.handshakeTimeout = value;
            return this;
        }

        /**
         * Every connection begins with a PROXY protocol header, v1 or v2 ({@link ProxyProtocol}),
         * from the load balancer in front: nginx's {@code listen ... proxy_protocol}. It is read
         * before TLS and the handler, within the handshake timeout, and the connection's
         * {@linkplain Connection#remoteAddress() remote} and local addresses are then the ones it
         * names. A connection without a valid header is closed ({@code protocol_error}). Only for
         * listeners that only a trusted balancer can reach: the header is believed. Not together
         * with {@link #tls} yet. Off by default.
         */
        public Builder acceptProxyProtocol(boolean value) {
            this.acceptProxyProtocol = value;
            return this;
        }

        /** SO_RCVBUF for accepted sockets (also set on the listener, so the window scale fits). */
        public Builder receiveBufferSize(int bytes) {
            return socketOption(StandardSocketOptions.SO_RCVBUF, bytes);
        }

        /** SO_SNDBUF for accepted sockets. */
        public Builder sendBufferSize(int bytes) {
            return socketOption(StandardSocketOptions.SO_SNDBUF, bytes);
        }

        /**
         * SO_LINGER for accepted sockets: {@code Duration.ZERO} makes close send a reset. A positive
         * time does not make the server's close wait (on Linux that would hold a thread in
         * {@code close(2)}, a virtual thread's carrier with it, while the peer does not read): it is
         * turned off just before the close, and the kernel delivers what is left in the background,
         * as it would on Linux after the time anyway.
         */
        public Builder linger(Duration value) {
            return socketOption(StandardSocketOptions.SO_LINGER, seconds(value));
        }

        /**
         * How the server talks to its sockets; default {@link Transport#JDK}, or what the system
         * property {@code weft.transport} names.
         *
         * @throws UnsupportedOperationException from {@link #start()} if this JVM cannot run it
         */
        public Builder transport(Transport value) {
            transport = Objects.requireNonNull(value, "transport");
            return this;
        }

        /**
         * Declares that clients speak first (HTTP, echo, Redis, memcached…), so a connection needs no
         * thread until its first bytes arrive. On {@link Transport#EPOLL} the handler's virtual thread
         * then starts only when the first bytes (or the peer's close) come: a connection that has sent
         * nothing costs its socket and a few small objects, no thread and no stack. One that sends
         * nothing within {@code firstBytesTimeout} is closed as a read timeout, and one still silent at
         * a graceful close is closed; in both cases the handler never sees it. On {@link Transport#JDK}
         * and with TLS the handler starts at accept as usual and its own reads time out.
         *
         * <p>Do not use it for protocols where the server speaks first (SMTP, FTP, a banner): their
         * handlers would start only after the client wrote.
         */
        public Builder clientSpeaksFirst(Duration firstBytesTimeout) {
            Objects.requireNonNull(firstBytesTimeout, "firstBytesTimeout");
            if (firstBytesTimeout.isNegative() || firstBytesTimeout.isZero()) {
                throw new IllegalArgumentException("firstBytesTimeout must be positive, was " + firstBytesTimeout);
            }
            this.firstBytesTimeout = firstBytesTimeout;
            return this;
        }

        /** Where connections get their threads; for tests, which need one that fails. */
        Builder connectionThreads(ThreadFactory value) {
            connectionThreads = Objects.requireNonNull(value, "connectionThreads");
            return this;
        }

        /** Any option supported by {@link Socket}, applied to every accepted socket. */
        public <T> Builder socketOption(SocketOption<T> option, T value) {
            options = options.withSocketOption(option, value);
            return this;
        }

        /**
         * Binds and starts accepting.
         *
         * @throws IllegalStateException if no handler was set
         * @throws UncheckedIOException if the address cannot be bound (for example, in use)
         */
        public TcpServer start() {
            if (handler == null) {
                throw new IllegalStateException("set a handler before start()");
            }
            Transport chosen = resolveTransport();
            String unavailable = Transports.unavailable(chosen);
            if (unavailable != null) {
                throw new UnsupportedOperationException(unavailable);
            }
            Set<SocketOption<?>> supported = Transports.supportedOptions(chosen);
            for (SocketOption<?> option : options.socketOptions().keySet()) {
                if (!supported.contains(option)) {
                    throw new IllegalArgumentException("socket option " + option.name() + " is not supported here"
                            + (chosen == Transport.JDK ? "" : " by Transport." + chosen));
                }
            }
            TcpServer server;
            try {
                server = new TcpServer(this, chosen);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on "
                        + new InetSocketAddress(options.bindAddress(), options.port()) + ": " + e.getMessage(), e);
            }
            server.start();
            return server;
        }

        private static int seconds(Duration d) {
            long s = d.toSeconds();
            if (s < 0 || s > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("out of range: " + d);
            }
            return (int) s;
        }

        /** The transport asked for, else the system property's, else JDK; TLS always runs on the JDK's. */
        private Transport resolveTransport() {
            if (transport == null) {
                Transport preferred = tls != null ? Transport.JDK : Transport.fromSystemProperty();
                String why = Transports.unavailable(preferred);
                if (why != null) {
                    LOG.log(Level.WARNING, "{0}: weft.transport asks for {1}, using JDK: {2}", name, preferred, why);
                    return Transport.JDK;
                }
                return preferred;
            }
            if (tls != null && transport != Transport.JDK) {
                throw new IllegalArgumentException("TLS runs on Transport.JDK only, not " + transport);
            }
            return transport;
        }
    }
}
