package dev.weft.examples;

import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.examples.lb.LbConfig;
import dev.weft.examples.lb.LoadBalancer;
import dev.weft.examples.lb.StatusPage;
import dev.weft.http.HttpServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * An HTTP load balancer run from an nginx configuration (the subset {@link LbConfig} reads): the
 * {@code lb} subcommand. With {@code --admin PORT}, a second listener on 127.0.0.1 serves
 * {@code /metrics} in the Prometheus text format and {@code /status}, each upstream server's state
 * as JSON ({@link StatusPage}).
 *
 * <pre>./weft lb --config examples/conf/case-study.conf [--admin 9100]</pre>
 */
@Command(name = "lb",
        description = {"An HTTP reverse proxy and load balancer run from an nginx configuration file",
            "(upstream, server, location, proxy_pass and friends; anything else is refused with its file and line).",
            "Runs until Ctrl-C."})
public final class LbCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", required = true,
            description = "The nginx configuration to run, e.g. examples/conf/case-study.conf.")
    Path config;

    @Option(names = "--admin", paramLabel = "PORT", converter = CliTypes.Port.class,
            description = "Serve /metrics (Prometheus text format) and /status (JSON) on 127.0.0.1:PORT.")
    Integer admin;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LbConfig file;
        try {
            file = LbConfig.read(config);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ParameterException(spec.commandLine(), "--config: no such file: " + config);
        }
        // A ConfigException is one sentence naming the file and line: Main prints it, exit 1.
        PrometheusMetrics metrics = new PrometheusMetrics();
        LoadBalancer lb = LoadBalancer.start(file, metrics.registry());
        HttpServer adminServer = admin == null ? null : HttpServer.builder().name("admin").port(admin)
                .bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(metrics.registry())
                .get("/metrics", metrics.handler()).get("/status", StatusPage.handler(lb)).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (adminServer != null) {
                adminServer.close();
            }
            lb.close();
        }));
        for (HttpServer s : lb.servers()) {
            System.out.printf("listening on %s%n", s.localAddress());
        }
        for (UpstreamGroup g : lb.groups().values()) {
            StringBuilder servers = new StringBuilder();
            for (Upstream u : g.upstreams()) {
                servers.append(servers.isEmpty() ? "" : ", ").append(u.endpoint()).append(" weight=").append(u.weight())
                        .append(u.backup() ? " backup" : "");
            }
            System.out.printf("upstream %s (%s): %s%n", g.name(), g.strategy(), servers);
        }
        if (adminServer != null) {
            System.out.printf("metrics on http://127.0.0.1:%d/metrics, status on http://127.0.0.1:%1$d/status%n",
                    adminServer.port());
        }
        System.out.println("Ctrl-C stops it");
        lb.servers().get(0).awaitClose();
        return 0;
    }
}
