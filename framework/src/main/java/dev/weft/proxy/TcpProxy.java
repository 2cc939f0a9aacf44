package dev.weft.proxy;

import dev.weft.balance.NoLiveUpstreamException;
import dev.weft.balance.Pick;
import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.Endpoint;
import dev.weft.dns.Resolver;
import dev.weft.internal.MeterNames;
import dev.weft.tcp.Connection;
import dev.weft.tcp.OutboundSocket;
import dev.weft.tcp.ProxyProtocol;
import dev.weft.tcp.ServerOptions;
import dev.weft.tcp.TcpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
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
 * <p>If connecting to the picked server fails (its name does not resolve, or no address of it
 * accepts within {@code connectTimeout}, which applies to each address), the pick is marked failed
 * (for the group's {@code max_fails}) and the next server not tried yet is picked, up to
 * {@code maxAttempts} servers (nginx's {@code proxy_next_upstream_tries}); nothing has been sent by
 * then, so retrying is safe. If no server can be reached the client connection is closed.
 *
 * <p>Once relaying, an end of stream from one side is passed on as a half-close and the other
 * direction goes on (nginx's {@code proxy_half_close on}); the relay ends when both sides have
 * closed. A failure on either side resets both. When nothing has moved either way for
 * {@code idleTimeout} (nginx's {@code proxy_timeout}) both are closed, within a quarter of the
 * timeout (at most a second) after it expires; that also ends a relay whose other side never
 * closes. A client that stops reading is cut off after the {@code writeTimeout} (60 s). On
 * {@link #close()} relays run on for up to the {@code drainTimeout} (30 s); those still running then
 * are reset, never passed on as complete. Each connection holds its pick until it ends, so
 * {@code LEAST_CONNECTIONS} balances open connections.
 *
 * <p>Meters, tagged {@code proxy=<name>}: {@code weft.proxy.tcp.connections{outcome}}, how each
 * client connection ended ({@code relayed}, {@code idle}, {@code client_error},
 * {@code upstream_error}, {@code shutdown}, {@code no_upstream}), and
 * {@code weft.proxy.tcp.bytes{direction}} ({@code upstream}: client to server, {@code downstream}:
 * server to client; counted when a relay ends). Failed connects count in the group's
 * {@code weft.upstream.failures}. The client side is a {@link TcpServer} with its own limits and
 * meters. Peer trouble (failed connects, resets) logs at DEBUG; the group logs a server taken out
 * of service at WARNING.
 */
public final class TcpProxy implements AutoCloseable {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    private static final System.Logger LOG = System.getLogger(TcpProxy.class.getName());

    private final String name;
    /** The name on the meters, held while open (see MeterNames). */
    private final MeterNames.Claim claim;
    private final UpstreamGroup upstreams;
    private final Duration connectTimeout;
    private final ProxyProtocol.Version proxyProtocol;
    private final int maxAttempts;
    private final Resolver resolver;
    private final Map<Relay.Outcome, Counter> outcomes = new EnumMap<>(Relay.Outcome.class);
    private final Counter noUpstream;
    private final Counter bytesUp;
    private final Counter bytesDown;
    private final RelaySweeper sweeper;
    private final TcpServer server;

    private TcpProxy(Builder b) {
        this.claim = MeterNames.claim(b.registry, "TCP proxy", b.name, b.nameChosen);
        this.name = claim.name();
        this.upstreams = b.upstreams;
        this.connectTimeout = b.connectTimeout;
        this.proxyProtocol = b.proxyProtocol;
        this.maxAttempts = b.maxAttempts;
        this.resolver = b.resolver;
        for (Relay.Outcome o : Relay.Outcome.values()) {
            outcomes.put(o, outcome(b.registry, o.name().toLowerCase()));
        }
        this.noUpstream = outcome(b.registry, "no_upstream");
        this.bytesUp = bytes(b.registry, "upstream");
        this.bytesDown = bytes(b.registry, "downstream");
        try {
            this.server = TcpServer.builder().name(name).bindAddress(b.bindAddress).port(b.port)
                    .maxConnections(b.maxConnections).writeTimeout(b.writeTimeout).drainTimeout(b.drainTimeout)
                    .meterRegistry(b.registry).acceptProxyProtocol(b.acceptProxyProtocol).handler(this::handle).start();
        } catch (RuntimeException e) {
            claim.close();
            throw e;
        }
        this.sweeper = new RelaySweeper(name, b.idleTimeout);
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

    /**
     * Stops accepting and lets the relays finish, for up to the drain timeout; the rest are reset.
     * Returns when every client connection has ended. The group is not closed.
     */
    @Override
    public void close() {
        server.close();
        sweeper.close();
        claim.close();
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
                LOG.log(Level.DEBUG, () -> name + ": conn " + client.id() + " " + client.remoteAddress() + ": "
                        + e.getMessage() + (tried.isEmpty() ? "" : " after trying " + tried));
                return;
            }
            try (pick) {
                OutboundSocket socket = connect(client, pick.endpoint());
                if (socket == null) {
                    pick.markFailed();
                    tried.add(pick.upstream());
                    if (tried.size() >= maxAttempts) {
                        noUpstream.increment();
                        return;
                    }
                    continue;
                }
                try (socket) {
                    if (proxyProtocol != null) {
                        sendProxyHeader(client, socket);
                    }
                    relay(client, socket);
                }
                return;
            }
        }
    }

    /** HAProxy's send-proxy: the client's addresses go first, before any of its bytes (a failure shows in the relay). */
    private void sendProxyHeader(Connection client, OutboundSocket socket) {
        try {
            socket.out().write(ProxyProtocol.encode(proxyProtocol, client.remoteAddress(), client.localAddress()));
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> name + ": conn " + client.id() + ": sending the PROXY header failed: " + e.getMessage());
        }
    }

    private void relay(Connection client, OutboundSocket socket) throws InterruptedException {
        Relay relay = new Relay(client, socket);
        try {
            outcomes.get(sweeper.run(relay)).increment();
        } finally {
            bytesUp.increment(relay.sent());
            bytesDown.increment(relay.received());
        }
    }

    /** A connected socket to one of the endpoint's addresses, or null if none answered (logged at DEBUG). */
    private OutboundSocket connect(Connection client, Endpoint endpoint) {
        try {
            return endpoint.open(resolver, connectTimeout);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> name + ": conn " + client.id() + ": " + e.getMessage());
            return null;
        }
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
        private boolean nameChosen;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port;
        private int maxConnections = ServerOptions.DEFAULT_MAX_CONNECTIONS;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration writeTimeout = ServerOptions.DEFAULT_WRITE_TIMEOUT;
        private Duration drainTimeout = ServerOptions.DEFAULT_DRAIN_TIMEOUT;
        private Resolver resolver = Resolver.system();
        private MeterRegistry registry = Metrics.globalRegistry;
        private ProxyProtocol.Version proxyProtocol;
        private boolean acceptProxyProtocol;

        private Builder(UpstreamGroup upstreams) {
            this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
        }

        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            this.nameChosen = true;
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

        /** How long connecting to one address of a server may take, 1 ms to 1 hour; 5 s by default. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = within(value, "connectTimeout", Duration.ofHours(1));
            return this;
        }

        /** Nothing moving either way for this long closes both sides, 1 ms to 1 year; 10 minutes by default. */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = within(value, "idleTimeout", Duration.ofDays(365));
            return this;
        }

        /** A client that takes no bytes for this long is cut off; the server's 60 s by default. */
        public Builder writeTimeout(Duration value) {
            this.writeTimeout = within(value, "writeTimeout", Duration.ofDays(365));
            return this;
        }

        /** How long {@link TcpProxy#close()} lets relays run on; the server's 30 s by default. */
        public Builder drainTimeout(Duration value) {
            this.drainTimeout = within(value, "drainTimeout", Duration.ofDays(1));
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

        /**
         * Sends a PROXY protocol header of this version to each server before the client's bytes,
         * so the server sees the real client: nginx's {@code proxy_protocol on} in a {@code stream}
         * server, HAProxy's {@code send-proxy} / {@code send-proxy-v2}. Off (null) by default.
         */
        public Builder sendProxyProtocol(ProxyProtocol.Version version) {
            this.proxyProtocol = version;
            return this;
        }

        /** Client connections begin with a PROXY header from a balancer in front; see {@link TcpServer.Builder#acceptProxyProtocol}. */
        public Builder acceptProxyProtocol(boolean value) {
            this.acceptProxyProtocol = value;
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

        private static Duration within(Duration value, String what, Duration max) {
            Objects.requireNonNull(value, what);
            if (value.compareTo(Duration.ofMillis(1)) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(what + " must be 1 ms to " + max + ", was " + value);
            }
            return value;
        }
    }
}
