package dev.weft.proxy;

import dev.weft.balance.NoLiveUpstreamException;
import dev.weft.balance.Pick;
import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.Endpoint;
import dev.weft.dns.Resolver;
import dev.weft.tcp.Connection;
import dev.weft.tcp.TcpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A TCP proxy, like nginx's {@code stream { server { proxy_pass upstream; } }}: every client
 * connection is relayed, byte for byte in both directions, to one server of an
 * {@link UpstreamGroup}, picked by the group's strategy with the client's address.
 *
 * <pre>{@code
 * TcpProxy proxy = TcpProxy.builder(backends).port(5432).start();
 * }</pre>
 *
 * <p>If connecting to the picked server fails (refused, unreachable, or not within
 * {@code connectTimeout}), the pick is marked failed (for the group's {@code max_fails}) and the next
 * server not tried yet is picked, up to {@code maxAttempts} servers (nginx's
 * {@code proxy_next_upstream_tries}); nothing has been sent by then, so retrying is safe. If no
 * server can be reached the client connection is closed. Once relaying, an end of stream from one
 * side is passed on as a half-close and the other direction goes on (nginx's
 * {@code proxy_half_close on}): the relay ends when both sides have closed. A failure on either side
 * closes both; nothing moving either way for {@code idleTimeout} (nginx's {@code proxy_timeout})
 * closes both too, which also ends a relay whose other side never closes. Each connection holds its pick until it ends, so {@code LEAST_CONNECTIONS}
 * balances open connections.
 *
 * <p>Meters, tagged {@code proxy=<name>}: {@code weft.proxy.tcp.connections{outcome}} (relayed,
 * idle, no_upstream: the outcome of each client connection) and {@code weft.proxy.tcp.bytes{direction}}
 * (upstream: client to server, downstream: server to client). The client side is a
 * {@link TcpServer} with its own limits and meters.
 */
public final class TcpProxy implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TcpProxy.class.getName());

    private final String name;
    private final UpstreamGroup upstreams;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final int maxAttempts;
    private final Resolver resolver;
    private final Counter relayed;
    private final Counter idled;
    private final Counter noUpstream;
    private final Counter bytesUp;
    private final Counter bytesDown;
    private final TcpServer server;

    private TcpProxy(Builder b) {
        this.name = b.name;
        this.upstreams = b.upstreams;
        this.connectTimeout = b.connectTimeout;
        this.idleTimeout = b.idleTimeout;
        this.maxAttempts = b.maxAttempts;
        this.resolver = b.resolver;
        this.relayed = outcome(b.registry, "relayed");
        this.idled = outcome(b.registry, "idle");
        this.noUpstream = outcome(b.registry, "no_upstream");
        this.bytesUp = bytes(b.registry, "upstream");
        this.bytesDown = bytes(b.registry, "downstream");
        this.server = TcpServer.builder().name(name).bindAddress(b.bindAddress).port(b.port)
                .maxConnections(b.maxConnections).meterRegistry(b.registry).handler(this::handle).start();
    }

    public static Builder builder(UpstreamGroup upstreams) {
        return new Builder(upstreams);
    }

    /** The port clients connect to (the one bound, if the builder asked for 0). */
    public int port() {
        return server.port();
    }

    /** Blocks until the proxy has been closed (by another thread or a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        server.awaitClose();
    }

    /** Stops accepting, lets the connections being relayed finish (the server's drain timeout), closes. */
    @Override
    public void close() {
        server.close();
    }

    private void handle(Connection client) throws Exception {
        InetAddress from = client.remoteAddress().getAddress();
        List<Upstream> tried = new ArrayList<>();
        for (;;) {
            Pick pick;
            try {
                pick = upstreams.pick(from, tried);
            } catch (NoLiveUpstreamException e) {
                noUpstream.increment();
                LOG.log(Level.WARNING, name + ": conn " + client.id() + " " + client.remoteAddress() + ": "
                        + e.getMessage() + (tried.isEmpty() ? "" : " after trying " + tried));
                return;
            }
            try (pick) {
                Socket socket = connect(pick.endpoint());
                if (socket == null) {
                    pick.markFailed();
                    tried.add(pick.upstream());
                    if (tried.size() >= maxAttempts) {
                        noUpstream.increment();
                        LOG.log(Level.WARNING, name + ": conn " + client.id() + " " + client.remoteAddress()
                                + ": could not connect to " + tried);
                        return;
                    }
                    continue;
                }
                try (socket) {
                    boolean idle = new Relay(client, socket, idleTimeout, bytesUp, bytesDown).run();
                    (idle ? idled : relayed).increment();
                }
                return;
            }
        }
    }

    /** A connected socket to one of the endpoint's addresses, or null (logged) if none answered. */
    private Socket connect(Endpoint endpoint) {
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(endpoint.host());
        } catch (IOException e) {
            LOG.log(Level.WARNING, name + ": cannot resolve upstream " + endpoint + ": " + e.getMessage());
            return null;
        }
        for (InetAddress address : addresses) {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(address, endpoint.port()), (int) connectTimeout.toMillis());
                return socket;
            } catch (IOException e) {
                LOG.log(Level.WARNING, name + ": connect to upstream " + endpoint + " (" + address.getHostAddress()
                        + ") failed: " + e.getMessage());
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // never connected
                }
            }
        }
        return null;
    }

    private Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("weft.proxy.tcp.connections").tag("proxy", name).tag("outcome", outcome)
                .description("client connections by how they ended").register(registry);
    }

    private Counter bytes(MeterRegistry registry, String direction) {
        return Counter.builder("weft.proxy.tcp.bytes").baseUnit("bytes").tag("proxy", name).tag("direction", direction)
                .description("bytes relayed: upstream is client to server").register(registry);
    }

    /** Builds a {@link TcpProxy}; {@link #start()} binds and starts accepting. */
    public static final class Builder {

        private final UpstreamGroup upstreams;
        private String name = "tcp-proxy";
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port;
        private int maxConnections = 10_000;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Duration.ofMinutes(10);
        private int maxAttempts = 3;
        private Resolver resolver = Resolver.system();
        private MeterRegistry registry = Metrics.globalRegistry;

        private Builder(UpstreamGroup upstreams) {
            this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
        }

        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            return this;
        }

        /** The address to listen on; loopback by default (pass the wildcard address to serve others). */
        public Builder bindAddress(InetAddress value) {
            this.bindAddress = Objects.requireNonNull(value, "bindAddress");
            return this;
        }

        /** The port to listen on; 0 (the default) picks a free one, see {@link TcpProxy#port()}. */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /** Client connections at once; more wait in the listen queue (the server's limit mode). */
        public Builder maxConnections(int value) {
            this.maxConnections = value;
            return this;
        }

        /** How long connecting to one server may take; 5 s by default. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /** Nothing moving either way for this long closes both sides; 10 minutes by default. */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = positive(value, "idleTimeout");
            return this;
        }

        /** How many servers one client connection may try to connect to; 3 by default. */
        public Builder maxAttempts(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxAttempts must be 1 or more, was " + value);
            }
            this.maxAttempts = value;
            return this;
        }

        public Builder resolver(Resolver value) {
            this.resolver = Objects.requireNonNull(value, "resolver");
            return this;
        }

        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        public TcpProxy start() {
            return new TcpProxy(this);
        }

        private static Duration positive(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + value);
            }
            return value;
        }
    }
}
