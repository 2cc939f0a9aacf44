package dev.weft.http;

import dev.weft.internal.MeterNames;
import dev.weft.tcp.TcpServer;
import dev.weft.tcp.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * An HTTP/1.1 server: one virtual thread per connection, requests on it answered in order by plain
 * blocking {@link HttpHandler}s.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.builder()
 *         .port(8080)
 *         .get("/hello", (req, res) -> res.send("Hello, World!"))
 *         .get("/users/{id}", (req, res) -> res.send(req.pathParam("id")))
 *         .start();
 * }</pre>
 *
 * <p>Parsing is strict (RFC 9110/9112) and every size and time is bounded by {@link HttpLimits};
 * see there for the defaults and the status each limit answers with. Connections are served by a
 * {@link TcpServer} (its connection limit, backpressure, send timeout, minimum send rate and close
 * causes apply: a client that reads too slowly is counted in
 * {@code weft.tcp.connections.closed{cause=slow_reader}});
 * {@link #close()} is graceful: idle keep-alive connections end at once, requests in flight finish
 * (with {@code Connection: close}) within the drain timeout. HTTP clients speak first, so on
 * {@link dev.weft.tcp.Transport#EPOLL} a new connection gets its thread only when its first request
 * bytes come ({@link TcpServer.Builder#clientSpeaksFirst}).
 *
 * <p>Meters: see {@code HttpMetrics} ({@code http.server.requests} by route template,
 * {@code http.server.requests.active}, {@code weft.http.requests.rejected}) plus the TCP meters of
 * the same server name.
 */
public final class HttpServer implements AutoCloseable {

    private final String name;
    private final HttpLimits limits;
    private final Router router;
    private final HttpMetrics metrics;
    private final boolean accessLog;
    private final AtomicLong requestIds = new AtomicLong();
    private final TcpServer tcp;

    private HttpServer(Builder b) {
        // The TCP server under it takes this name over (its meters carry the same server tag).
        MeterNames.Claim claim = MeterNames.claim(b.registry, "server", b.name, b.nameChosen);
        claim.passOn();
        this.name = claim.name();
        this.limits = b.limits;
        this.router = new Router(b.routes, b.handlers, b.fallback);
        this.accessLog = b.accessLog;
        this.metrics = new HttpMetrics(b.registry, name);
        Duration shortest = min(min(limits.readTimeout(), limits.headerTimeout()), limits.keepAliveTimeout());
        TcpServer.Builder tcpBuilder = TcpServer.builder()
                .name(name)
                .meterRegistry(b.registry)
                .port(b.port)
                .bindAddress(b.bindAddress)
                .maxConnections(b.maxConnections)
                .idleTimeout(shortest)
                .writeTimeout(limits.sendTimeout())
                .drainTimeout(b.drainTimeout)
                .clientSpeaksFirst(limits.headerTimeout())
                .handler(conn -> new HttpConnection(conn, this).serve());
        if (b.tls != null) {
            tcpBuilder.tls(b.tls).handshakeTimeout(b.handshakeTimeout);
        }
        if (b.transport != null) {
            tcpBuilder.transport(b.transport);
        }
        tcpBuilder.acceptProxyProtocol(b.acceptProxyProtocol);
        if (b.backlog > 0) {
            tcpBuilder.backlog(b.backlog);
        }
        if (b.sendBufferSize > 0) {
            tcpBuilder.sendBufferSize(b.sendBufferSize);
        }
        try {
            this.tcp = tcpBuilder.start();
        } catch (RuntimeException e) {
            metrics.close();
            claim.close(); // nothing if the TCP server took it over: it gave it back itself
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port this server listens on. */
    public int port() {
        return tcp.port();
    }

    public InetSocketAddress localAddress() {
        return tcp.localAddress();
    }

    public String name() {
        return name;
    }

    public HttpLimits limits() {
        return limits;
    }

    /** Open connections. */
    public int activeConnections() {
        return tcp.activeConnections();
    }

    /** Blocks until the server has been closed. */
    public void awaitClose() throws InterruptedException {
        tcp.awaitClose();
    }

    /** Stops accepting, lets requests in flight finish (drain timeout), closes the rest. Idempotent. */
    @Override
    public void close() {
        tcp.close();
        metrics.close();
    }

    @Override
    public String toString() {
        return "HttpServer " + name + " on " + localAddress();
    }

    boolean isClosing() {
        return tcp.isClosing();
    }

    Router router() {
        return router;
    }

    HttpMetrics metrics() {
        return metrics;
    }

    boolean accessLog() {
        return accessLog;
    }

    long nextRequestId() {
        return requestIds.incrementAndGet();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Settings and routes of an {@link HttpServer}; only routes or a fallback are required. */
    public static final class Builder {

        private String name = "http";
        private boolean nameChosen;
        private InetAddress bindAddress;
        private int port;
        private int maxConnections = 10_000;
        private Duration drainTimeout = Duration.ofSeconds(30);
        private HttpLimits limits = HttpLimits.DEFAULTS;
        private MeterRegistry registry = Metrics.globalRegistry;
        private boolean accessLog;
        private final List<String[]> routes = new ArrayList<>();
        private final List<HttpHandler> handlers = new ArrayList<>();
        private HttpHandler fallback;
        private SSLContext tls;
        private Duration handshakeTimeout = TcpServer.DEFAULT_HANDSHAKE_TIMEOUT;
        private Transport transport;
        private boolean acceptProxyProtocol;
        private int backlog;
        private int sendBufferSize;

        private Builder() {
        }

        /**
         * {@code SO_SNDBUF} for accepted sockets: the most response bytes the kernel holds for one
         * client. By default Linux sizes and grows it by itself (to about 2 MB on loopback), and a
         * response that fits is finished, as far as the server can tell, however slowly the client
         * reads it; the minimum send rate applies only once the buffer is full.
         */
        public Builder sendBufferSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("sendBufferSize must be positive, was " + bytes);
            }
            this.sendBufferSize = bytes;
            return this;
        }

        /** The listen backlog asked of the kernel; see {@link TcpServer.Builder#backlog(int)}. */
        public Builder backlog(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("backlog must be positive, was " + value);
            }
            this.backlog = value;
            return this;
        }

        /**
         * Connections begin with a PROXY protocol header from the balancer in front, and
         * {@link Request#remoteAddress()} is the client it names; see
         * {@link TcpServer.Builder#acceptProxyProtocol(boolean)}. Off by default.
         */
        public Builder acceptProxyProtocol(boolean value) {
            this.acceptProxyProtocol = value;
            return this;
        }

        /** How the server talks to its sockets; see {@link TcpServer.Builder#transport(Transport)}. */
        public Builder transport(Transport value) {
            this.transport = Objects.requireNonNull(value, "transport");
            return this;
        }

        /**
         * Serves HTTPS with this context (load one with {@link dev.weft.tcp.Tls}); every request then
         * reports {@link Request#isSecure()}.
         */
        public Builder tls(SSLContext context) {
            this.tls = Objects.requireNonNull(context, "context");
            return this;
        }

        /** How long a TLS handshake may take; default 10 seconds. */
        public Builder handshakeTimeout(Duration value) {
            this.handshakeTimeout = Objects.requireNonNull(value, "handshakeTimeout");
            return this;
        }

        /**
         * Names the server in thread names, log lines and the {@code server} meter tag; default "http".
         * Names are unique per meter registry while the server runs: a name given here that another
         * server holds fails {@code start()}; the default becomes "http-2", "http-3", ... when taken.
         */
        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            this.nameChosen = true;
            return this;
        }

        /** 0 (the default) lets the kernel pick a free port; read it back with {@link HttpServer#port()}. */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /** The address to listen on; default every interface. */
        public Builder bindAddress(InetAddress value) {
            this.bindAddress = value;
            return this;
        }

        /** Connections open at once; default 10,000 (the TCP layer's backpressure applies). */
        public Builder maxConnections(int value) {
            this.maxConnections = value;
            return this;
        }

        /** How long {@link HttpServer#close()} lets requests in flight finish; default 30 s. */
        public Builder drainTimeout(Duration value) {
            this.drainTimeout = Objects.requireNonNull(value, "drainTimeout");
            return this;
        }

        /** Sizes and times; default {@link HttpLimits#DEFAULTS}. */
        public Builder limits(HttpLimits value) {
            this.limits = Objects.requireNonNull(value, "limits");
            return this;
        }

        /** Where the meters go; default {@code Metrics.globalRegistry}. */
        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        /** Logs one line per request to the System.Logger {@code dev.weft.http.access} at INFO; default off. */
        public Builder accessLog(boolean value) {
            this.accessLog = value;
            return this;
        }

        public Builder get(String path, HttpHandler handler) {
            return route("GET", path, handler);
        }

        public Builder post(String path, HttpHandler handler) {
            return route("POST", path, handler);
        }

        public Builder put(String path, HttpHandler handler) {
            return route("PUT", path, handler);
        }

        public Builder delete(String path, HttpHandler handler) {
            return route("DELETE", path, handler);
        }

        /**
         * Routes {@code method} and {@code path} to {@code handler}. The path is exact segments and
         * {@code {name}} segments ({@link Request#pathParam(String)}). A GET route answers HEAD too.
         */
        public Builder route(String method, String path, HttpHandler handler) {
            if (!Tokens.isToken(Objects.requireNonNull(method, "method"))) {
                throw new IllegalArgumentException("method is not a token: " + method);
            }
            Router.checkTemplate(Objects.requireNonNull(path, "path"));
            routes.add(new String[] {method, path});
            handlers.add(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /** Handles every request no route matches (instead of 404/405): a proxy is one. */
        public Builder fallback(HttpHandler handler) {
            this.fallback = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws IllegalStateException if there is neither a route nor a fallback
         * @throws java.io.UncheckedIOException if the address cannot be bound
         */
        public HttpServer start() {
            if (routes.isEmpty() && fallback == null) {
                throw new IllegalStateException("add a route or a fallback before start()");
            }
            return new HttpServer(this);
        }
    }
}
