package dev.weft.proxy;

import dev.weft.balance.NoLiveUpstreamException;
import dev.weft.balance.Pick;
import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.ClientTls;
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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An HTTP reverse proxy, like nginx's {@code location / { proxy_pass http://backends; }}: an
 * {@link HttpHandler} that forwards each request to a server of an {@link UpstreamGroup} and
 * streams the response back. Serve it with an {@link dev.weft.http.HttpServer}, which gives the
 * client side every limit and deadline of the server:
 *
 * <pre>{@code
 * try (UpstreamGroup backends = UpstreamGroup.builder("backends")
 *             .add("10.0.0.1:8080").add("10.0.0.2:8080").strategy(Strategy.LEAST_CONNECTIONS).build();
 *      ReverseProxy proxy = ReverseProxy.builder(backends).build();
 *      HttpServer server = HttpServer.builder().port(80).fallback(proxy).start()) {
 *     server.awaitClose();
 * }
 * }</pre>
 *
 * <p><b>Forwarding.</b> Connections to the servers are pooled and kept alive ({@code keepalive}
 * idle ones per server, nginx's {@code keepalive}), shared by all client connections. The request
 * goes out as HTTP/1.1 with the hop-by-hop fields removed ({@code Connection} and the fields it
 * names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer},
 * {@code Transfer-Encoding}, {@code Upgrade}), the {@link Builder#setHeader configured fields} set
 * and a {@code Via} field added; its framing is derived anew. The response comes back the same way:
 * hop-by-hop fields removed, {@code Via} added, {@code Content-Length} kept when the server sent one,
 * else chunked. A response the strict reader refuses is a 502, never passed on. Bodies stream in
 * 16 KiB pieces both ways and are never held whole, except a request body of known length up to 64
 * KiB, which is read first so that the request can be sent to another server (as nginx buffers
 * request bodies).
 *
 * <p><b>Protocol switches.</b> A request that asks to upgrade ({@code Upgrade}, named by
 * {@code Connection}: WebSocket, say) is passed on with both fields, as HAProxy does (nginx needs
 * {@code proxy_set_header} for them); if the server answers {@code 101}, the client gets the 101
 * with the server's fields and both connections become a two-way relay, half-closes passed on,
 * ended when both sides are done or nothing moved either way for {@code readTimeout}
 * ({@code weft.proxy.http.tunnels{outcome}}). A 101 nobody asked for is a 502.
 *
 * <p><b>Timeouts</b>, with nginx's meaning: {@code connectTimeout} per address
 * ({@code proxy_connect_timeout}, 5 s by default here, nginx's is 60 s), {@code sendTimeout}
 * between two successful writes to the server ({@code proxy_send_timeout}, 60 s),
 * {@code readTimeout} between two reads from it ({@code proxy_read_timeout}, 60 s).
 *
 * <p><b>Failures</b> before the response began are answered 502 (refused, reset, closed, an invalid
 * response, no live server) or 504 (a timeout), with a one-line {@code text/plain} body, a WARNING
 * naming the server and the cause, and the counter {@code weft.proxy.http.requests{outcome}}. A
 * server that fails after its response began ends the client connection (a truncated response is
 * never passed on as complete).
 *
 * <p><b>Next upstream</b> ({@code proxy_next_upstream error timeout}, the default): a request that
 * failed before any response byte goes to the next server not tried yet, up to
 * {@code nextUpstreamTries} servers (0: all) within {@code nextUpstreamTimeout} (zero: no limit),
 * if its body can be sent again and it is idempotent ({@code GET HEAD OPTIONS TRACE PUT DELETE}), or
 * the request provably never reached the server (the connect failed), or
 * {@link NextUpstream#NON_IDEMPOTENT} is allowed. A kept-alive connection that turns out closed or
 * reset is retried once on a new connection under the same rules, without counting against the
 * server. Failures count against the server's {@code max_fails}.
 *
 * <p>{@link #close()} closes the pooled connections; close the server first so that requests in
 * flight finish. Thread-safe; one instance serves every connection of a server.
 */
public final class ReverseProxy implements HttpHandler, AutoCloseable {

    /** nginx's {@code proxy_next_upstream} conditions. */
    public enum NextUpstream {
        /** Connecting, sending the request or reading the response head failed. */
        ERROR,
        /** Connecting, sending or reading the response head timed out. */
        TIMEOUT,
        /** The server's response head was invalid. */
        INVALID_HEADER,
        HTTP_500, HTTP_502, HTTP_503, HTTP_504, HTTP_403, HTTP_404, HTTP_429,
        /** Non-idempotent requests (POST, PATCH, ...) may go to another server too, even if they may have reached one. */
        NON_IDEMPOTENT;

        int status() {
            return name().startsWith("HTTP_") ? Integer.parseInt(name().substring(5)) : -1;
        }
    }

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_KEEPALIVE = 32;

    private static final System.Logger LOG = System.getLogger(ReverseProxy.class.getName());

    private final String name;
    /** The name on the meters, held while open (see MeterNames). */
    private final MeterNames.Claim claim;
    private final UpstreamGroup upstreams;
    private final ConnectionPool pool;
    /** The configured fields in order, and their names in lower case. */
    private final List<Map.Entry<String, HeaderValue>> setHeaders;
    private final Set<String> setNames;
    private final Set<NextUpstream> nextUpstream;
    private final boolean statusConditions;
    private final int nextUpstreamTries;
    private final long nextUpstreamTimeoutNanos;
    private final String rewriteFrom;
    private final String rewriteTo;
    private final HeaderValue hashKey;
    private final Counter ok;
    private final Counter badGateway;
    private final Counter gatewayTimeout;
    private final Counter upstreamAborted;
    private final Counter clientAborted;
    private final Counter retries;
    private final RelaySweeper tunnels;
    private final Map<Relay.Outcome, Counter> tunnelOutcomes = new EnumMap<>(Relay.Outcome.class);

    private ReverseProxy(Builder b) {
        this.claim = MeterNames.claim(b.registry, "reverse proxy", b.name, b.nameChosen);
        this.name = claim.name();
        this.upstreams = b.upstreams;
        this.setHeaders = List.copyOf(b.headers.entrySet());
        this.setNames = new HashSet<>();
        b.headers.keySet().forEach(k -> setNames.add(k.toLowerCase(Locale.ROOT)));
        this.nextUpstream = EnumSet.copyOf(b.nextUpstream);
        this.statusConditions = nextUpstream.stream().anyMatch(c -> c.status() > 0);
        this.nextUpstreamTries = b.nextUpstreamTries;
        this.nextUpstreamTimeoutNanos = b.nextUpstreamTimeout.toNanos();
        this.rewriteFrom = b.rewriteFrom;
        this.rewriteTo = b.rewriteTo;
        this.hashKey = b.hashKey;
        PoolOptions options = PoolOptions.DEFAULTS
                .withMaxPerEndpoint(100_000).withMaxTotal(100_000).withIdle(0, b.keepalive)
                .withConnectTimeout(b.connectTimeout).withReadTimeout(b.readTimeout).withWriteTimeout(b.sendTimeout)
                // a stale connection is retried on a new one (handle), so one idle a moment is lent unprobed
                .withValidateAfterIdle(Duration.ofSeconds(1));
        this.pool = new ConnectionPool("proxy-" + name, options, b.resolver, b.registry, b.tls);
        this.ok = outcome(b.registry, "ok");
        this.badGateway = outcome(b.registry, "bad_gateway");
        this.gatewayTimeout = outcome(b.registry, "gateway_timeout");
        this.upstreamAborted = outcome(b.registry, "upstream_aborted");
        this.clientAborted = outcome(b.registry, "client_aborted");
        this.retries = Counter.builder("weft.proxy.http.retries").tag("proxy", name)
                .description("requests sent to another server (or a new connection) after a failure")
                .register(b.registry);
        this.tunnels = new RelaySweeper(name, b.readTimeout);
        for (Relay.Outcome o : Relay.Outcome.values()) {
            tunnelOutcomes.put(o, Counter.builder("weft.proxy.http.tunnels").tag("proxy", name)
                    .tag("outcome", o.name().toLowerCase(Locale.ROOT))
                    .description("protocol switches (101) relayed, by how they ended").register(b.registry));
        }
    }

    /** What the exchanges see of this proxy (kept off its public API). */
    private final Forwarding forwarding = new Forwarding() {
        @Override
        public ConnectionPool pool() {
            return pool;
        }

        @Override
        public String targetFor(Request request) {
            return ReverseProxy.this.targetFor(request);
        }

        @Override
        public boolean setsHeader(String name) {
            return setNames.contains(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public void appendSetHeaders(StringBuilder head, Request request, Endpoint endpoint) {
            ReverseProxy.this.appendSetHeaders(head, request, endpoint);
        }

        @Override
        public boolean retriesOnStatus(int status) {
            return ReverseProxy.this.retriesOnStatus(status);
        }

        @Override
        public RelaySweeper tunnels() {
            return tunnels;
        }

        @Override
        public void tunnelled(Relay.Outcome outcome) {
            tunnelOutcomes.get(outcome).increment();
        }
    };

    public static Builder builder(UpstreamGroup upstreams) {
        return new Builder(upstreams);
    }

    public String name() {
        return name;
    }

    @Override
    public void handle(Request request, Response response) throws IOException {
        if (request.targetForm() == RequestHead.TargetForm.AUTHORITY) {
            response.header("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH");
            response.send(405, "CONNECT is not served by this reverse proxy\n");
            return;
        }
        long start = System.nanoTime();
        OutgoingBody body = OutgoingBody.of(request);
        List<Upstream> tried = new ArrayList<>(2);
        int attempts = 0;
        boolean staleRetried = false;
        boolean fresh = false;
        Failure last = null;
        Endpoint lastEndpoint = null;
        for (;;) {
            Pick pick;
            try {
                pick = upstreams.pick(request.remoteAddress().getAddress(),
                        hashKey == null ? null : hashKey.value(request, null), tried);
            } catch (NoLiveUpstreamException e) {
                fail(request, response, lastEndpoint, last != null ? last
                        : new Failure(Failure.Kind.NO_UPSTREAM, e.getMessage(), false));
                return;
            }
            boolean statusRetry = statusConditions && tried.size() + 1 < upstreams.upstreams().size()
                    && withinTries(attempts + 1) && inTime(start) && canSendAgain(request, body);
            Failure failure;
            try (pick) {
                failure = new UpstreamExchange(forwarding, request, response, pick.endpoint(), body).run(fresh, statusRetry);
                if (failure == null) {
                    ok.increment();
                    return;
                }
                if (failure.serverFault()) {
                    pick.markFailed();
                }
            } catch (UpstreamExchange.Aborted e) {
                pick.markFailed();
                upstreamAborted.increment();
                LOG.log(Level.WARNING, () -> describe(request, pick.endpoint()) + ": " + e.getMessage()
                        + "; the client connection is closed");
                throw HttpException.closing(e.status, e.getMessage()); // ends the half-sent response, quietly
            } catch (IOException | RuntimeException e) {
                clientAborted.increment();
                throw e;
            }
            // A kept-alive connection that was closed or reset under us is not the server's fault:
            // once per request, the same rules apply on a new connection, without using up a try.
            fresh = failure.staleConnection() && !staleRetried;
            staleRetried |= fresh;
            if (!fresh) {
                attempts++;
                tried.add(pick.upstream());
            }
            last = failure;
            lastEndpoint = pick.endpoint();
            if (!retryAllowed(failure, fresh, request, body, attempts, start)) {
                fail(request, response, lastEndpoint, failure);
                return;
            }
            retries.increment();
            Failure f = failure;
            boolean stale = fresh;
            LOG.log(stale ? Level.DEBUG : Level.WARNING, () -> describe(request, pick.endpoint()) + ": " + f.cause()
                    + (stale ? "; trying again on a new connection" : "; trying the next server"));
        }
    }

    private boolean retryAllowed(Failure failure, boolean stale, Request request, OutgoingBody body, int attempts,
            long start) {
        if (!stale && (failure.kind() != Failure.Kind.STATUS && !nextUpstream.contains(failure.kind().condition)
                || !withinTries(attempts))) {
            return false;
        }
        return inTime(start) && (failure.neverSent() || canSendAgain(request, body));
    }

    /** Whether the request may be sent once more: its body can be, and its method allows it. */
    private boolean canSendAgain(Request request, OutgoingBody body) {
        return body.replayable() && (idempotent(request.method()) || nextUpstream.contains(NextUpstream.NON_IDEMPOTENT));
    }

    private boolean inTime(long start) {
        return nextUpstreamTimeoutNanos == 0 || System.nanoTime() - start < nextUpstreamTimeoutNanos;
    }

    private boolean withinTries(int attempts) {
        return nextUpstreamTries == 0 || attempts < nextUpstreamTries;
    }

    private static boolean idempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }

    /** Answers a request that no server answered: 502 or 504, logged and counted. */
    private void fail(Request request, Response response, Endpoint endpoint, Failure failure) throws IOException {
        int status = failure.kind().status;
        (status == 504 ? gatewayTimeout : badGateway).increment();
        LOG.log(Level.WARNING, () -> describe(request, endpoint) + ": " + failure.cause() + "; answered " + status);
        response.send(status, status == 504 ? "gateway timeout\n" : "bad gateway\n");
    }

    private String describe(Request request, Endpoint endpoint) {
        return "proxy " + name + ": " + request.method() + " " + request.path() + " (request " + request.id() + ", client "
                + request.remoteAddress().getAddress().getHostAddress() + ")" + (endpoint == null ? "" : " -> " + endpoint);
    }

    private boolean retriesOnStatus(int status) {
        for (NextUpstream c : nextUpstream) {
            if (c.status() == status) {
                return true;
            }
        }
        return false;
    }

    /** Appends the configured fields whose values are not empty. */
    private void appendSetHeaders(StringBuilder head, Request request, Endpoint endpoint) {
        for (Map.Entry<String, HeaderValue> e : setHeaders) {
            String value = e.getValue().value(request, endpoint);
            if (value != null && !value.isEmpty()) {
                head.append(e.getKey()).append(": ");
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    head.append(c < 0x20 || c == 0x7f || c > 0xff ? ' ' : c); // a value never splits the head
                }
                head.append("\r\n");
            }
        }
    }

    /** The request target for the server: origin-form, with the configured prefix replaced. */
    private String targetFor(Request request) {
        String target = request.targetForm() == RequestHead.TargetForm.ABSOLUTE
                ? request.path() + (request.rawQuery() == null ? "" : "?" + request.rawQuery())
                : request.target();
        if (rewriteFrom != null && target.startsWith(rewriteFrom)) {
            return rewriteTo + target.substring(rewriteFrom.length());
        }
        return target;
    }

    /** Closes the pooled connections to the servers (close the server in front first). The group is not closed. */
    @Override
    public void close() {
        tunnels.close();
        pool.close();
        claim.close();
    }

    @Override
    public String toString() {
        return "ReverseProxy " + name + " -> " + upstreams.name();
    }

    private Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("weft.proxy.http.requests").tag("proxy", name).tag("outcome", outcome)
                .description("proxied requests by how they ended").register(registry);
    }

    /** Builds a {@link ReverseProxy}. */
    public static final class Builder {

        private final UpstreamGroup upstreams;
        private String name = "reverse-proxy";
        private boolean nameChosen;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private int keepalive = DEFAULT_KEEPALIVE;
        private final Map<String, HeaderValue> headers = new LinkedHashMap<>();
        private Set<NextUpstream> nextUpstream = EnumSet.of(NextUpstream.ERROR, NextUpstream.TIMEOUT);
        private int nextUpstreamTries;
        private Duration nextUpstreamTimeout = Duration.ZERO;
        private String rewriteFrom;
        private String rewriteTo;
        private HeaderValue hashKey;
        private ClientTls tls;
        private Resolver resolver = Resolver.system();
        private MeterRegistry registry = Metrics.globalRegistry;

        private Builder(UpstreamGroup upstreams) {
            this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
            headers.put("Host", (request, upstream) -> {
                String host = request.header("Host");
                return host != null ? host : HeaderValue.upstreamAuthority().value(request, upstream);
            });
            headers.put("X-Forwarded-For", HeaderValue.forwardedFor());
            headers.put("X-Forwarded-Proto", HeaderValue.scheme());
        }

        /** Names the proxy in logs, its pool and the {@code proxy} meter tag; default "reverse-proxy". */
        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            this.nameChosen = true;
            return this;
        }

        /** nginx's {@code proxy_connect_timeout}, per address tried; 5 s by default. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = Settings.positive(value, "connectTimeout");
            return this;
        }

        /** nginx's {@code proxy_send_timeout}: between two successful writes to the server; 60 s by default. */
        public Builder sendTimeout(Duration value) {
            this.sendTimeout = Settings.positive(value, "sendTimeout");
            return this;
        }

        /** nginx's {@code proxy_read_timeout}: between two reads from the server; 60 s by default. */
        public Builder readTimeout(Duration value) {
            this.readTimeout = Settings.positive(value, "readTimeout");
            return this;
        }

        /** nginx's {@code keepalive}: idle connections kept per server (0 closes each after its response); 32 by default. */
        public Builder keepalive(int value) {
            this.keepalive = Settings.notNegative(value, "keepalive");
            return this;
        }

        /**
         * nginx's {@code proxy_set_header}: the request's own fields of this name are replaced by
         * this value (none is sent where it is empty). By default {@code Host} passes the client's
         * on unchanged (as HAProxy does; nginx sends the upstream's name), {@code X-Forwarded-For}
         * appends the client's address and {@code X-Forwarded-Proto} says {@code http} or {@code https}.
         */
        public Builder setHeader(String name, HeaderValue value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            headers.keySet().removeIf(k -> k.equalsIgnoreCase(name));
            headers.put(name, value);
            return this;
        }

        /** Forgets every configured field, the defaults too: the request's fields pass as they came, {@code Host} included. */
        public Builder clearHeaders() {
            headers.clear();
            return this;
        }

        /** nginx's {@code proxy_next_upstream}; {@code ERROR, TIMEOUT} by default; an empty set never tries another server. */
        public Builder nextUpstream(Set<NextUpstream> conditions) {
            this.nextUpstream = EnumSet.noneOf(NextUpstream.class);
            this.nextUpstream.addAll(conditions);
            return this;
        }

        /** nginx's {@code proxy_next_upstream_tries}: servers one request may go to, 0 (the default) for all. */
        public Builder nextUpstreamTries(int value) {
            this.nextUpstreamTries = Settings.notNegative(value, "nextUpstreamTries");
            return this;
        }

        /** nginx's {@code proxy_next_upstream_timeout}: no further server after this long; zero (the default) for no limit. */
        public Builder nextUpstreamTimeout(Duration value) {
            Objects.requireNonNull(value, "nextUpstreamTimeout");
            if (value.isNegative()) {
                throw new IllegalArgumentException("nextUpstreamTimeout must not be negative, was " + value);
            }
            this.nextUpstreamTimeout = value;
            return this;
        }

        /**
         * Replaces {@code prefix} at the start of the request target with {@code replacement}, as
         * nginx does for {@code location /prefix/ { proxy_pass http://backends/replacement/; }}.
         */
        public Builder rewritePrefix(String prefix, String replacement) {
            this.rewriteFrom = Objects.requireNonNull(prefix, "prefix");
            this.rewriteTo = Objects.requireNonNull(replacement, "replacement");
            return this;
        }

        /**
         * The key the group's {@code HASH} and {@code CONSISTENT_HASH} strategies hash, computed per
         * request (nginx's {@code hash $request_uri}: {@code HeaderValue.requestUri()}); the upstream
         * passed to it is null. None by default: those strategies then go round robin.
         */
        public Builder hashKey(HeaderValue key) {
            this.hashKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * Speaks HTTPS to the servers ({@code proxy_pass https://}): every pooled connection runs
         * TLS with these settings, its handshake bounded by the connect timeout; a failed handshake
         * (an untrusted certificate, say) is a connect failure (502, next server). Plain HTTP by
         * default. {@code ClientTls.system()} verifies against the JDK's trust store and sends SNI.
         */
        public Builder tls(ClientTls value) {
            this.tls = Objects.requireNonNull(value, "tls");
            return this;
        }

        /** Resolves the servers' names for connecting; the system resolver by default. */
        public Builder resolver(Resolver value) {
            this.resolver = Objects.requireNonNull(value, "resolver");
            return this;
        }

        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        public ReverseProxy build() {
            return new ReverseProxy(this);
        }
    }
}
