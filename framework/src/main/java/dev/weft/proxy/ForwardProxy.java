package dev.weft.proxy;

import dev.weft.client.ConnectionPool;
import dev.weft.client.Endpoint;
import dev.weft.client.PoolOptions;
import dev.weft.dns.Resolver;
import dev.weft.http.HttpException;
import dev.weft.internal.MeterNames;
import dev.weft.http.HttpHandler;
import dev.weft.http.Request;
import dev.weft.http.RequestHead;
import dev.weft.http.Response;
import dev.weft.http.Upgraded;
import dev.weft.tcp.OutboundSocket;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A forward HTTP proxy, like Squid: clients send absolute-form requests
 * ({@code GET http://host/path HTTP/1.1}) and {@code CONNECT host:443} for HTTPS, and the proxy
 * goes there for them. An {@link HttpHandler}: serve it with an {@link dev.weft.http.HttpServer},
 * which bounds the client side as it bounds any client.
 *
 * <pre>{@code
 * try (ForwardProxy proxy = ForwardProxy.builder().build();
 *      HttpServer server = HttpServer.builder().port(3128).fallback(proxy).start()) {
 *     server.awaitClose();
 * }
 * }</pre>
 *
 * <p><b>Where it goes.</b> The destination's name is resolved once, every address it resolves to is
 * checked against the rules, and the proxy connects to exactly a checked address (no second lookup,
 * so a name that rebinds to an inner address after the check cannot slip past). Denied unless
 * {@link Builder#allow allowed}: {@link AddressRange#NOT_PUBLIC} (loopback, RFC 1918, link-local,
 * carrier-grade NAT, unique-local, multicast, the unspecified address, and the IPv4-mapped forms of
 * all of them), so the proxy is no way into the network it stands in. CONNECT goes only to the
 * {@link Builder#connectPorts ports} allowed (443 by default, as Squid's {@code SSL_ports}).
 *
 * <p><b>Requests</b> are forwarded in origin-form on pooled keep-alive connections per destination
 * address, bodies streamed, with {@code Host} set to the target's authority (RFC 9112 section
 * 3.2.2: the absolute URI wins over a {@code Host} field), hop-by-hop fields removed
 * ({@code Proxy-Authorization} and {@code Proxy-Connection} among them), {@code Via} added; the
 * response comes back the same way. {@code Max-Forwards: 0} on OPTIONS or TRACE is answered by the
 * proxy itself; a larger value is decremented. An origin-form request is a 400: this is a proxy,
 * not a server. <b>Tunnels</b>: {@code 200 Connection established}, then two blocking copy loops
 * with half-close, ended when both sides are done or nothing moves for the tunnel idle timeout.
 *
 * <p>With {@link Builder#credentials}, Basic proxy authentication first: 407 without valid
 * credentials; {@code Proxy-Authorization} never goes further.
 *
 * <p>Answers: 400 malformed, 403 a denied destination, port or client, 407 authentication, 502 connect failure or a
 * bad response, 504 a timeout, each with a short text and a log line naming client, target and
 * cause. Meters of requests and tunnels by outcome, in progress, bytes each way, connect times and
 * denials ({@link ForwardMeters} lists them), and with {@link Builder#accessLog} a line per request
 * and per tunnel on the logger {@code dev.weft.proxy.access}.
 */
public final class ForwardProxy implements HttpHandler, AutoCloseable {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_TUNNEL_IDLE_TIMEOUT = Duration.ofMinutes(10);
    public static final Set<Integer> DEFAULT_CONNECT_PORTS = Set.of(443);

    private static final System.Logger LOG = System.getLogger(ForwardProxy.class.getName());

    private final String name;
    /** The name on the meters, held while open (see MeterNames). */
    private final MeterNames.Claim claim;
    private final Resolver resolver;
    private final List<AddressRange> allowed;
    private final List<AddressRange> clients;
    private final Set<Integer> connectPorts;
    private final Duration connectTimeout;
    private final ProxyCredentials credentials;
    private final ConnectionPool pool;
    private final RelaySweeper tunnels;
    private final ForwardMeters meters;

    private ForwardProxy(Builder b) {
        this.claim = MeterNames.claim(b.registry, "forward proxy", b.name, b.nameChosen);
        this.name = claim.name();
        this.resolver = b.resolver;
        this.allowed = List.copyOf(b.allowed);
        this.clients = List.copyOf(b.clients);
        this.connectPorts = Set.copyOf(b.connectPorts);
        this.connectTimeout = b.connectTimeout;
        this.credentials = b.credentials;
        PoolOptions options = PoolOptions.DEFAULTS.withMaxPerEndpoint(100_000).withMaxTotal(100_000)
                .withIdle(0, b.keepalive).withConnectTimeout(b.connectTimeout).withReadTimeout(b.readTimeout)
                .withWriteTimeout(b.sendTimeout).withValidateAfterIdle(Duration.ofSeconds(1))
                .withEndpointMeters(false); // destinations are open-ended: per-endpoint meters would grow without bound
        this.pool = new ConnectionPool("forward-" + name, options, b.resolver, b.registry);
        this.tunnels = new RelaySweeper(name, b.tunnelIdleTimeout);
        this.meters = new ForwardMeters(name, b.registry, b.accessLog);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void handle(Request request, Response response) throws IOException {
        ForwardMeters.Traffic traffic = meters.begin(request.targetForm() == RequestHead.TargetForm.AUTHORITY);
        try {
            traffic.outcome = serve(request, response, traffic);
        } finally {
            meters.end(traffic, request, response.status());
        }
    }

    /** Answers one request or runs one tunnel; returns the outcome to count it under. */
    private String serve(Request request, Response response, ForwardMeters.Traffic traffic) throws IOException {
        InetAddress client = request.remoteAddress().getAddress();
        if (!clients.isEmpty() && !AddressRange.any(clients, client)) {
            return deny(request, response, "client", "client " + client.getHostAddress() + " is not allowed to use this proxy");
        }
        if (credentials != null && credentials.check(request.header("Proxy-Authorization")) == null) {
            boolean tried = request.header("Proxy-Authorization") != null;
            meters.denied(tried ? "bad_credentials" : "no_credentials");
            if (tried) { // the user name may be logged, never the password
                LOG.log(Level.INFO, () -> describe(request) + ": proxy authentication failed");
            }
            response.header("Proxy-Authenticate", "Basic realm=\"" + name + "\", charset=\"UTF-8\"");
            response.send(407, "proxy authentication required\n");
            return "unauthorized";
        }
        if (traffic.tunnel) {
            return tunnel(request, response, traffic);
        } else if (request.targetForm() == RequestHead.TargetForm.ABSOLUTE) {
            return forward(request, response, traffic);
        }
        response.send(400, "this is a proxy: send requests in absolute form (GET http://host/path)\n");
        return "bad_request";
    }

    /** CONNECT host:port: checked, connected, answered 200, then relayed both ways. */
    private String tunnel(Request request, Response response, ForwardMeters.Traffic traffic) throws IOException {
        Endpoint target;
        try {
            target = Endpoint.parse(request.target());
        } catch (IllegalArgumentException e) {
            response.send(400, "CONNECT needs host:port\n");
            return "bad_request";
        }
        if (!connectPorts.contains(target.port())) {
            return deny(request, response, "port", "CONNECT to port " + target.port() + " is not allowed");
        }
        InetAddress address = checkedAddress(request, response, target.host());
        if (address == null) {
            return outcomeOf(response);
        }
        OutboundSocket socket;
        long begin = System.nanoTime();
        try {
            socket = new Endpoint(address.getHostAddress(), target.port()).open(resolver, connectTimeout);
            meters.connected(System.nanoTime() - begin);
        } catch (java.net.SocketTimeoutException e) {
            return fail(request, response, 504, "connect to " + target + " timed out");
        } catch (IOException e) {
            return fail(request, response, 502, "connect to " + target + " failed: " + e.getMessage());
        }
        try (socket) {
            Upgraded up = response.establishTunnel();
            Relay relay = new Relay(up.connection(), up.in(), Relay.Far.of(socket));
            Relay.Outcome outcome;
            try {
                outcome = tunnels.run(relay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while relaying");
            } finally {
                traffic.up = relay.sent();
                traffic.down = relay.received();
            }
            LOG.log(Level.DEBUG, () -> "proxy " + name + ": tunnel " + request.remoteAddress() + " -> " + target + ": "
                    + outcome.name().toLowerCase(Locale.ROOT));
            return outcome.name().toLowerCase(Locale.ROOT);
        }
    }

    /** An absolute-form request: checked, then forwarded on a pooled connection to the checked address. */
    private String forward(Request request, Response response, ForwardMeters.Traffic traffic) throws IOException {
        URI uri;
        try {
            uri = new URI(request.target());
        } catch (URISyntaxException e) {
            response.send(400, "malformed request target\n");
            return "bad_request";
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            response.send(400, "only http:// targets are forwarded; use CONNECT for https\n");
            return "bad_request";
        }
        String maxForwards = request.header("Max-Forwards");
        if (maxForwards != null && (request.method().equals("OPTIONS") || request.method().equals("TRACE"))
                && maxForwards.strip().equals("0")) {
            response.header("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, CONNECT");
            response.send(200, ""); // RFC 9110 section 7.6.2: the last recipient answers itself
            return "answered";
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        InetAddress address = checkedAddress(request, response, host);
        if (address == null) {
            return outcomeOf(response);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String authority = uri.getRawAuthority();
        Endpoint endpoint = new Endpoint(address.getHostAddress(), port);
        OutgoingBody body = OutgoingBody.of(request);
        Forwarding forwarding = new Target(authority, decremented(maxForwards));
        UpstreamExchange exchange = new UpstreamExchange(forwarding, request, response, endpoint, body);
        try {
            Failure failure = exchange.run(false, false);
            if (failure != null && failure.staleConnection() && body.replayable()) {
                account(exchange, traffic);
                exchange = new UpstreamExchange(forwarding, request, response, endpoint, body);
                failure = exchange.run(true, false);
            }
            if (failure == null) {
                return "ok";
            }
            return fail(request, response, failure.kind().status, uri.getRawAuthority() + " " + failure.cause());
        } catch (UpstreamExchange.Aborted e) {
            traffic.outcome = "upstream_aborted";
            LOG.log(Level.WARNING, () -> describe(request) + ": " + e.getMessage() + "; the client connection is closed");
            throw HttpException.closing(e.status, e.getMessage());
        } finally {
            account(exchange, traffic);
        }
    }

    /** Adds what one attempt moved, and its connect time, to the request's traffic. */
    private void account(UpstreamExchange exchange, ForwardMeters.Traffic traffic) {
        traffic.up += exchange.sent();
        traffic.down += exchange.received();
        if (exchange.connectNanos() >= 0) {
            meters.connected(exchange.connectNanos());
        }
    }

    /** The outcome of a request that {@link #checkedAddress} answered itself. */
    private static String outcomeOf(Response response) {
        return response.status() == 403 ? "denied" : "bad_gateway";
    }

    /** {@code Max-Forwards} one less (RFC 9110 section 7.6.2), or null when absent or not a number. */
    private static String decremented(String maxForwards) {
        if (maxForwards == null || maxForwards.isBlank() || !maxForwards.strip().chars().allMatch(Character::isDigit)
                || maxForwards.strip().length() > 9) {
            return null;
        }
        return Integer.toString(Math.max(0, Integer.parseInt(maxForwards.strip()) - 1));
    }

    /**
     * Resolves {@code host} once and returns the address to connect to if every address it resolves
     * to is allowed; else answers (403, or 502 for a name that does not resolve) and returns null.
     */
    private InetAddress checkedAddress(Request request, Response response, String host) throws IOException {
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            fail(request, response, 502, "host not found: " + host);
            return null;
        }
        for (InetAddress a : addresses) {
            if (AddressRange.any(AddressRange.NOT_PUBLIC, a) && !AddressRange.any(allowed, a)) {
                deny(request, response, "destination", host + " is " + a.getHostAddress() + ", which this proxy does not reach");
                return null;
            }
        }
        return AddressRange.unmapped(addresses.get(0));
    }

    private String deny(Request request, Response response, String reason, String why) throws IOException {
        meters.denied(reason);
        LOG.log(Level.INFO, () -> describe(request) + ": denied: " + why);
        response.send(403, "forbidden: " + why + "\n");
        return "denied";
    }

    private String fail(Request request, Response response, int status, String why) throws IOException {
        LOG.log(Level.WARNING, () -> describe(request) + ": " + why + "; answered " + status);
        response.send(status, (status == 504 ? "gateway timeout: " : "bad gateway: ") + why + "\n");
        return status == 504 ? "gateway_timeout" : "bad_gateway";
    }

    private String describe(Request request) {
        return "proxy " + name + ": " + request.method() + " " + request.target() + " (client "
                + request.remoteAddress().getAddress().getHostAddress() + ")";
    }

    /** Closes the pooled connections and the tunnel sweeper, and removes the meters (close the server in front first). */
    @Override
    public void close() {
        tunnels.close();
        pool.close();
        meters.close();
        claim.close();
    }

    /** How one absolute-form request is forwarded: to its own authority, origin-form. */
    private final class Target implements Forwarding {
        private final String authority;
        private final String maxForwards;

        Target(String authority, String maxForwards) {
            this.authority = authority;
            this.maxForwards = maxForwards;
        }

        @Override
        public ConnectionPool pool() {
            return pool;
        }

        @Override
        public String targetFor(Request request) {
            return (request.path().isEmpty() ? "/" : request.path()) + (request.rawQuery() == null ? "" : "?" + request.rawQuery());
        }

        @Override
        public boolean setsHeader(String field) {
            return field.equalsIgnoreCase("Max-Forwards");
        }

        @Override
        public void appendSetHeaders(StringBuilder head, Request request, Endpoint endpoint) {
            head.append("Host: ").append(authority).append("\r\n");
            if (maxForwards != null) {
                head.append("Max-Forwards: ").append(maxForwards).append("\r\n");
            }
        }

        @Override
        public boolean retriesOnStatus(int status) {
            return false;
        }

        @Override
        public RelaySweeper tunnels() {
            return tunnels;
        }

        @Override
        public void tunnelled(Relay.Outcome outcome) {
            // counted when the request ends: an upgraded request is one of the requests, by its outcome
        }
    }

    /** Builds a {@link ForwardProxy}. */
    public static final class Builder {

        private String name = "forward-proxy";
        private boolean nameChosen;
        private Resolver resolver = Resolver.system();
        private List<AddressRange> allowed = List.of();
        private List<AddressRange> clients = List.of();
        private Set<Integer> connectPorts = DEFAULT_CONNECT_PORTS;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration sendTimeout = DEFAULT_TIMEOUT;
        private Duration readTimeout = DEFAULT_TIMEOUT;
        private Duration tunnelIdleTimeout = DEFAULT_TUNNEL_IDLE_TIMEOUT;
        private int keepalive = 32;
        private ProxyCredentials credentials;
        private MeterRegistry registry = Metrics.globalRegistry;
        private boolean accessLog;

        private Builder() {
        }

        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            this.nameChosen = true;
            return this;
        }

        /** Resolves destinations; use a {@link dev.weft.dns.CachingResolver} in production. The system resolver by default. */
        public Builder resolver(Resolver value) {
            this.resolver = Objects.requireNonNull(value, "resolver");
            return this;
        }

        /** Opens these ranges of {@link AddressRange#NOT_PUBLIC} (tests allow 127.0.0.1). None by default. */
        public Builder allow(List<AddressRange> ranges) {
            this.allowed = List.copyOf(ranges);
            return this;
        }

        /** Only clients from these ranges may use the proxy; any client by default (bind it to a private address). */
        public Builder clients(List<AddressRange> ranges) {
            this.clients = List.copyOf(ranges);
            return this;
        }

        /** The ports CONNECT may reach; {443} by default (Squid's SSL_ports). */
        public Builder connectPorts(Set<Integer> ports) {
            for (int p : ports) {
                if (p < 1 || p > 65_535) {
                    throw new IllegalArgumentException("a port must be 1..65535, was " + p);
                }
            }
            this.connectPorts = Set.copyOf(ports);
            return this;
        }

        /** Connecting to a destination; 5 s by default. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = Settings.positive(value, "connectTimeout");
            return this;
        }

        /** Between two successful writes to a destination; 60 s by default. */
        public Builder sendTimeout(Duration value) {
            this.sendTimeout = Settings.positive(value, "sendTimeout");
            return this;
        }

        /** Between two reads of a destination's response; 60 s by default. */
        public Builder readTimeout(Duration value) {
            this.readTimeout = Settings.positive(value, "readTimeout");
            return this;
        }

        /** A tunnel where nothing moved either way for this long is closed; 10 minutes by default. */
        public Builder tunnelIdleTimeout(Duration value) {
            this.tunnelIdleTimeout = Settings.positive(value, "tunnelIdleTimeout");
            return this;
        }

        /** Idle connections kept per destination; 32 by default. */
        public Builder keepalive(int value) {
            this.keepalive = Settings.notNegative(value, "keepalive");
            return this;
        }

        /**
         * Asks for Basic proxy authentication against these users: a request without valid
         * credentials gets 407 with {@code Proxy-Authenticate}, counted under
         * {@code weft.proxy.forward.denied{reason=no_credentials|bad_credentials}}. None by default.
         */
        public Builder credentials(ProxyCredentials value) {
            this.credentials = Objects.requireNonNull(value, "credentials");
            return this;
        }

        /**
         * Logs one line per request and per tunnel, when it ends, to the System.Logger
         * {@code dev.weft.proxy.access} at INFO (client, method, target, status, outcome, bytes
         * each way, duration); off by default.
         */
        public Builder accessLog(boolean value) {
            this.accessLog = value;
            return this;
        }

        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        public ForwardProxy build() {
            return new ForwardProxy(this);
        }
    }
}
