package dev.weft.examples;

import dev.weft.dns.CachingResolver;
import dev.weft.dns.Resolver;
import dev.weft.dns.ResolverOptions;
import dev.weft.http.HttpServer;
import dev.weft.proxy.AddressRange;
import dev.weft.proxy.ForwardProxy;
import dev.weft.proxy.ProxyCredentials;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A forward HTTP proxy ({@link ForwardProxy}) for browsers, {@code curl -x} and {@code https_proxy}:
 * the {@code proxy} subcommand. With {@code --admin PORT}, {@code /metrics} on 127.0.0.1.
 *
 * <pre>./weft proxy [--port 3128] [--bind 127.0.0.1] [--allow CIDR ...] [--connect-ports 443,...]
 *     [--clients CIDR ...] [--auth FILE] [--admin PORT]</pre>
 */
@Command(name = "proxy",
        description = {"A forward HTTP proxy: absolute-form requests and CONNECT tunnels (HTTPS).",
            "Loopback, private, link-local and other inner ranges are refused unless --allow opens them;",
            "CONNECT reaches only --connect-ports. Runs until Ctrl-C."})
public final class ProxyCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "3128", converter = CliTypes.Port.class,
            description = "Port to listen on, 0 for a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}); clients must reach it.")
    String bind;

    @Option(names = "--allow", paramLabel = "CIDR", split = ",",
            description = "Destinations in these ranges are allowed though not public (e.g. 127.0.0.1, 10.1.0.0/16).")
    List<String> allow = new ArrayList<>();

    @Option(names = "--connect-ports", paramLabel = "PORT", split = ",", defaultValue = "443",
            converter = CliTypes.Port.class, description = "Ports CONNECT may reach (default: ${DEFAULT-VALUE}).")
    List<Integer> connectPorts;

    @Option(names = "--clients", paramLabel = "CIDR", split = ",",
            description = "Only clients from these ranges may use the proxy (default: any that can reach it).")
    List<String> clients = new ArrayList<>();

    @Option(names = "--admin", paramLabel = "PORT", converter = CliTypes.Port.class,
            description = "Serve /metrics (Prometheus text format) on 127.0.0.1:PORT.")
    Integer admin;

    @Option(names = "--auth", paramLabel = "FILE",
            description = "Ask for Basic proxy authentication against the users in FILE (lines from ./weft proxy-passwd).")
    java.nio.file.Path auth;

    @Option(names = "--access-log", description = "Log each request and tunnel when it ends (logger dev.weft.proxy.access).")
    boolean accessLog;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException, UnknownHostException {
        List<AddressRange> allowed = ranges("--allow", allow);
        List<AddressRange> from = ranges("--clients", clients);
        InetAddress bindAddress = InetAddress.getByName(bind);
        PrometheusMetrics metrics = new PrometheusMetrics();
        Resolver resolver = new CachingResolver("proxy", Resolver.system(), ResolverOptions.DEFAULTS, metrics.registry());
        ForwardProxy.Builder builder = ForwardProxy.builder().resolver(resolver).allow(allowed).clients(from)
                .connectPorts(new HashSet<>(connectPorts)).accessLog(accessLog).meterRegistry(metrics.registry());
        if (auth != null) {
            try {
                builder.credentials(ProxyCredentials.read(auth));
            } catch (java.io.IOException e) {
                throw new ParameterException(spec.commandLine(), "--auth: cannot read " + auth + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--auth: " + e.getMessage());
            }
        }
        ForwardProxy proxy = builder.build();
        HttpServer server;
        try {
            server = HttpServer.builder().name("proxy").bindAddress(bindAddress).port(port)
                    .meterRegistry(metrics.registry()).fallback(proxy).start();
        } catch (RuntimeException e) {
            proxy.close();
            throw e; // the port in use: one line from Main, exit 1
        }
        HttpServer adminServer = admin == null ? null : HttpServer.builder().name("proxy-admin").port(admin)
                .bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(metrics.registry())
                .get("/metrics", metrics.handler()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (adminServer != null) {
                adminServer.close();
            }
            server.close();
            proxy.close();
        }));
        System.out.printf("forward proxy on %s; CONNECT to ports %s; allowed inner ranges %s%s%n", server.localAddress(),
                connectPorts, allowed.isEmpty() ? "none" : allowed, from.isEmpty() ? "" : "; clients " + from);
        System.out.printf("try: curl -x http://%s:%d http://example.com/   or   https_proxy=http://%1$s:%2$d curl https://...%n",
                bind, server.port());
        if (adminServer != null) {
            System.out.printf("metrics on http://127.0.0.1:%d/metrics%n", adminServer.port());
        }
        server.awaitClose();
        return 0;
    }

    private List<AddressRange> ranges(String option, List<String> values) {
        List<AddressRange> out = new ArrayList<>();
        for (String v : values) {
            try {
                out.add(AddressRange.parse(v.strip()));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
            }
        }
        return out;
    }
}
