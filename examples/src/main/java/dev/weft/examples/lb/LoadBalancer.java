package dev.weft.examples.lb;

import dev.weft.balance.HealthCheck;
import dev.weft.balance.Strategy;
import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.ClientTls;
import dev.weft.client.Endpoint;
import dev.weft.http.HttpHandler;
import dev.weft.http.HttpLimits;
import dev.weft.http.HttpServer;
import dev.weft.proxy.ReverseProxy;
import dev.weft.tcp.Tls;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A configuration read by {@link LbConfig}, running: one {@link UpstreamGroup} per {@code upstream}
 * block (plus one per literal {@code proxy_pass host:port}), one {@link ReverseProxy} per
 * {@code location}, one {@link HttpServer} per listening address and port, whose requests go to
 * the {@code server} block their host names ({@link VirtualHosts}) and its location ({@link Site}).
 *
 * <p>What the file may say but this runtime cannot do yet is refused at start with the same kind of
 * sentence as the reader's (file, line, directive), never ignored: see {@link #refuse}.
 */
public final class LoadBalancer implements AutoCloseable {

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Map<String, UpstreamGroup> groups = new LinkedHashMap<>();
    private final Map<String, Integer> keepalive = new LinkedHashMap<>();
    private final List<HttpServer> servers = new ArrayList<>();
    private final LbConfig config;
    private final MeterRegistry registry;

    private LoadBalancer(LbConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    /**
     * Starts everything {@code config} describes.
     *
     * @throws ConfigException if it asks for something this runtime does not do yet
     * @throws IOException     if a certificate cannot be read
     * @throws java.io.UncheckedIOException if an address cannot be bound
     */
    public static LoadBalancer start(LbConfig config, MeterRegistry registry)
            throws ConfigException, IOException, GeneralSecurityException {
        LoadBalancer lb = new LoadBalancer(config, registry);
        try {
            for (UpstreamBlock u : config.upstreams()) {
                lb.group(u);
            }
            Map<String, List<ServerBlock>> sockets = new LinkedHashMap<>();
            Map<String, Listen> listens = new LinkedHashMap<>();
            for (ServerBlock s : config.servers()) {
                for (Listen l : s.listens()) {
                    sockets.computeIfAbsent(l.socket(), k -> new ArrayList<>()).add(s);
                    listens.putIfAbsent(l.socket(), l);
                }
            }
            for (Map.Entry<String, List<ServerBlock>> e : sockets.entrySet()) {
                lb.listen(listens.get(e.getKey()), e.getValue());
            }
            return lb;
        } catch (ConfigException | IOException | GeneralSecurityException | RuntimeException e) {
            lb.close();
            throw e;
        }
    }

    /** The servers listening, one per address and port of the file. */
    public List<HttpServer> servers() {
        return List.copyOf(servers);
    }

    /** The upstream groups by name: the file's blocks, and {@code host:port} for literal proxy_pass targets. */
    public Map<String, UpstreamGroup> groups() {
        return Map.copyOf(groups);
    }

    /** Stops listening (requests in flight finish within the drain timeout), then the proxies and health checks. */
    @Override
    public void close() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
    }

    private void group(UpstreamBlock u) throws ConfigException {
        Strategy strategy = switch (u.balance()) {
            case ROUND_ROBIN -> Strategy.ROUND_ROBIN;
            case LEAST_CONN -> Strategy.LEAST_CONNECTIONS;
            case IP_HASH -> Strategy.IP_HASH;
            case HASH -> u.consistent() ? Strategy.CONSISTENT_HASH : Strategy.HASH;
            case RANDOM -> u.randomTwo() ? Strategy.RANDOM_TWO : Strategy.RANDOM;
        };
        UpstreamGroup.Builder b = UpstreamGroup.builder(u.name()).strategy(strategy).meterRegistry(registry);
        for (UpstreamServer s : u.servers()) {
            b.add(Upstream.of(new Endpoint(s.host(), s.port())).withWeight(s.weight())
                    .withMaxFails(s.maxFails(), s.failTimeout()).withBackup(s.backup()).withDown(s.down())
                    .withMaxConns(s.maxConns()));
        }
        Check c = u.check();
        if (c != null) {
            HealthCheck check = HealthCheck.tcp();
            if (c.type().equals("http")) {
                Set<Integer> classes = new java.util.TreeSet<>();
                for (String alive : c.expectAlive()) { // http_2xx ...
                    classes.add(alive.charAt(5) - '0');
                }
                check = check.withHttpSend(c.httpSend()).withExpectedStatus(classes);
            }
            b.healthCheck(check.withInterval(c.interval()).withRise(c.rise()).withFall(c.fall()).withTimeout(c.timeout()));
        }
        groups.put(u.name(), own(b.build()));
        keepalive.put(u.name(), u.keepaliveOrDefault());
    }

    private void listen(Listen listen, List<ServerBlock> blocks) throws ConfigException, IOException,
            GeneralSecurityException {
        List<VirtualHosts.Named> named = new ArrayList<>();
        long maxBody = 1;
        for (ServerBlock block : blocks) {
            Map<Location, HttpHandler> handlers = new LinkedHashMap<>();
            for (Location l : block.locations()) {
                handlers.put(l, l.ret() != null ? answer(l.ret(), block, listen.port()) : proxy(block, l, listen.port()));
                maxBody = Math.max(maxBody, l.clientMaxBodySize());
            }
            HttpHandler serverReturn = block.ret() == null ? null : answer(block.ret(), block, listen.port());
            boolean isDefault = block.listens().stream().anyMatch(x -> x.socket().equals(listen.socket()) && x.defaultServer());
            named.add(new VirtualHosts.Named(block.serverNames(), isDefault, new Site(block, handlers, serverReturn)));
        }
        HttpServer.Builder b = HttpServer.builder().name(listen.socket()).port(listen.port()).meterRegistry(registry)
                .backlog(listen.backlog()).acceptProxyProtocol(listen.proxyProtocol())
                .limits(HttpLimits.DEFAULTS.withMaxBodySize(maxBody)).fallback(new VirtualHosts(named));
        if (listen.address() != null) {
            b.bindAddress(InetAddress.getByName(listen.address()));
        }
        if (listen.ssl()) {
            ServerBlock first = blocks.get(0);
            for (ServerBlock other : blocks) {
                if (!other.sslCertificate().equals(first.sslCertificate())) {
                    throw refuse(other.line(), "ssl_certificate", "differs between servers on " + listen.socket()
                            + ", which needs SNI, not supported by this runtime yet");
                }
            }
            b.tls(Tls.fromPem(first.sslCertificate(), first.sslCertificateKey()));
        }
        servers.add(own(b.start()));
    }

    private HttpHandler answer(Return ret, ServerBlock block, int port) throws ConfigException {
        if (ret.code() < 200 || ret.code() == 444) {
            throw refuse(ret.line(), "return", "with code " + ret.code() + " is not supported by this runtime");
        }
        return Site.answer(ret, block, port);
    }

    private ReverseProxy proxy(ServerBlock block, Location l, int port) throws ConfigException, IOException,
            GeneralSecurityException {
        ProxyPass pass = l.proxyPass();
        ProxySettings p = l.proxy();

        if (!p.httpVersion().equals("1.1")) {
            throw refuse(l.line(), "proxy_http_version", p.httpVersion() + " is not supported: upstream connections speak 1.1");
        }
        UpstreamGroup group;
        int idle;
        if (pass.upstreamName() != null) {
            group = groups.get(config.upstream(pass.upstreamName()).name());
            idle = keepalive.get(config.upstream(pass.upstreamName()).name());
        } else {
            String key = pass.host() + ":" + pass.port();
            group = groups.get(key);
            if (group == null) {
                group = own(UpstreamGroup.builder(key).add(Upstream.of(new Endpoint(pass.host(), pass.port())))
                        .meterRegistry(registry).build());
                groups.put(key, group);
            }
            idle = UpstreamBlock.DEFAULT_KEEPALIVE;
        }
        ReverseProxy.Builder b = ReverseProxy.builder(group).name(group.name() + "@" + l.line()).meterRegistry(registry)
                .keepalive(idle).connectTimeout(p.connectTimeout()).sendTimeout(p.sendTimeout()).readTimeout(p.readTimeout())
                .nextUpstream(nextUpstream(p.nextUpstream())).nextUpstreamTries(p.nextUpstreamTries())
                .nextUpstreamTimeout(p.nextUpstreamTimeout()).clearHeaders();
        for (ProxyHeader h : p.effectiveHeaders()) {
            b.setHeader(h.name(), Variables.of(h.value(), block, pass, port));
        }
        if (pass.hasUri()) {
            b.rewritePrefix(l.prefix(), pass.uri());
        }
        if (pass.scheme().equals("https")) {
            b.tls(tls(p, pass, l));
        }
        UpstreamBlock upstream = pass.upstreamName() == null ? null : config.upstream(pass.upstreamName());
        if (upstream != null && upstream.hashKey() != null) {
            b.hashKey(Variables.of(upstream.hashKey(), block, pass, port));
        }
        return own(b.build());
    }

    /** nginx's proxy_ssl_*: trusted certificates (else the JDK's), verify (off by default), SNI (off), the name. */
    private ClientTls tls(ProxySettings p, ProxyPass pass, Location l) throws ConfigException, IOException,
            GeneralSecurityException {
        ClientTls tls = p.sslTrustedCertificate() != null ? ClientTls.trusting(p.sslTrustedCertificate()) : ClientTls.system();
        StringBuilder name = new StringBuilder();
        for (Value.Part part : p.sslName().parts()) {
            switch (part) {
                case Value.Literal lit -> name.append(lit.text());
                case Value.Var v when v.name().equals("proxy_host") -> name.append(pass.host());
                case Value.Var v -> throw refuse(l.line(), "proxy_ssl_name", "with $" + v.name()
                        + " is not supported by this runtime: only literals and $proxy_host");
            }
        }
        return tls.withVerify(p.sslVerify()).withSendName(p.sslServerName()).withServerName(name.toString());
    }

    private static Set<ReverseProxy.NextUpstream> nextUpstream(Set<NextUpstream> conditions) {
        Set<ReverseProxy.NextUpstream> set = EnumSet.noneOf(ReverseProxy.NextUpstream.class);
        for (NextUpstream c : conditions) {
            set.add(ReverseProxy.NextUpstream.valueOf(c.name()));
        }
        return set;
    }

    private ConfigException refuse(int line, String directive, String reason) {
        return new ConfigException("\"" + directive + "\" " + reason, config.file(), line, directive);
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }
}
