package dev.weft.examples;

import dev.weft.balance.HealthCheck;
import dev.weft.balance.Strategy;
import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.Endpoint;
import dev.weft.proxy.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A TCP load balancer, nginx's {@code stream} proxy over an {@code upstream} block: clients connect to
 * {@code --port}, each connection is relayed to one of the {@code --upstream} servers, chosen by
 * {@code --strategy}, with TCP health checks every {@code --check} interval. An instance is the
 * {@code tcp-proxy} subcommand.
 *
 * <pre>./weft tcp-proxy --upstream 127.0.0.1:8888,127.0.0.1:8889 [--port 9000] [--bind 127.0.0.1]
 *     [--strategy round-robin|least-conn|ip-hash] [--check 2s] [--idle-timeout 10m]</pre>
 */
@Command(name = "tcp-proxy",
        description = {"A TCP load balancer: each client connection relayed to one upstream, with health checks.",
            "An upstream that refuses or times out is marked failed and the next one is tried. Runs until Ctrl-C."})
public final class TcpProxyExample implements Callable<Integer> {

    @Option(names = "--upstream", paramLabel = "HOST:PORT", required = true, split = ",",
            description = "The servers to balance over, separated by commas (the option may also be repeated).")
    List<Endpoint> upstreams;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9000", converter = CliTypes.Port.class,
            description = "Port to listen on, 0 for a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--strategy", paramLabel = "STRATEGY", defaultValue = "round-robin",
            converter = CliTypes.StrategyConverter.class, completionCandidates = CliTypes.StrategyNames.class,
            description = "How an upstream is picked: ${COMPLETION-CANDIDATES} (default: round-robin).")
    Strategy strategy;

    @Option(names = "--check", paramLabel = "INTERVAL", defaultValue = "2s",
            description = "TCP health check of each upstream every INTERVAL (default: ${DEFAULT-VALUE}).")
    Duration check;

    @Option(names = "--idle-timeout", paramLabel = "TIMEOUT", defaultValue = "10m",
            description = "Close a relay when nothing moved either way for this long (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Spec
    CommandSpec spec;

    /** The group of {@code upstreams} with TCP checks every {@code check}. */
    static UpstreamGroup group(List<Endpoint> upstreams, Strategy strategy, Duration check, MeterRegistry registry) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("upstreams").strategy(strategy).meterRegistry(registry)
                .healthCheck(HealthCheck.tcp().withInterval(check));
        for (Endpoint u : upstreams) {
            b.add(Upstream.of(u));
        }
        return b.build();
    }

    /** Starts the proxy in front of {@code group}; {@code port} 0 picks a free one. */
    static TcpProxy start(UpstreamGroup group, InetAddress bind, int port, Duration idleTimeout, MeterRegistry registry) {
        return TcpProxy.builder(group).name("tcp-proxy").bindAddress(bind).port(port).idleTimeout(idleTimeout)
                .meterRegistry(registry).start();
    }

    @Override
    public Integer call() throws InterruptedException, UnknownHostException {
        InetAddress bindAddress = InetAddress.getByName(bind); // unknown: one line from Main, exit 1
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        UpstreamGroup group;
        try {
            group = group(upstreams, strategy, check, registry);
        } catch (IllegalArgumentException e) { // a server given twice, say
            throw new ParameterException(spec.commandLine(), "--upstream: " + e.getMessage());
        }
        TcpProxy proxy;
        try {
            proxy = start(group, bindAddress, port, idleTimeout, registry);
        } catch (IllegalArgumentException e) { // a timeout out of the proxy's range
            group.close();
            throw new ParameterException(spec.commandLine(), e.getMessage());
        } catch (RuntimeException e) { // the port in use: one line from Main, exit 1
            group.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            group.close();
        }));
        System.out.printf("tcp proxy listening on port %d, relaying to %s (%s); Ctrl-C stops it%n",
                proxy.port(), group.upstreams(), group.strategy());
        proxy.awaitClose();
        return 0;
    }
}
