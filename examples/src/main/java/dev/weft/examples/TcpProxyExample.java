package dev.weft.examples;

import dev.weft.balance.HealthCheck;
import dev.weft.balance.Strategy;
import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.proxy.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * A TCP load balancer, nginx's {@code stream} proxy over an {@code upstream} block: clients connect to
 * {@code --port}, each connection is relayed to one of the {@code --upstream} servers, chosen by
 * {@code --strategy}, with TCP health checks every {@code --check} interval.
 *
 * <pre>./weft tcp-proxy --upstream 127.0.0.1:8888,127.0.0.1:8889 [--port 9000] [--bind 127.0.0.1]
 *     [--strategy round-robin|least-conn|ip-hash] [--check 2s] [--idle-timeout 10m]</pre>
 */
public final class TcpProxyExample {

    private TcpProxyExample() {
    }

    /** The group of {@code upstreams} ({@code host:port,host:port}) with TCP checks every {@code check}. */
    static UpstreamGroup group(String upstreams, Strategy strategy, Duration check, MeterRegistry registry) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("upstreams").strategy(strategy).meterRegistry(registry)
                .healthCheck(HealthCheck.tcp().withInterval(check));
        for (String u : upstreams.split(",")) {
            b.add(Upstream.of(u.strip()));
        }
        return b.build();
    }

    /** Starts the proxy in front of {@code group}; {@code port} 0 picks a free one. */
    static TcpProxy start(UpstreamGroup group, InetAddress bind, int port, Duration idleTimeout, MeterRegistry registry) {
        return TcpProxy.builder(group).name("tcp-proxy").bindAddress(bind).port(port).idleTimeout(idleTimeout)
                .meterRegistry(registry).start();
    }

    static Strategy strategy(String name) {
        return switch (name) {
            case "round-robin" -> Strategy.ROUND_ROBIN;
            case "least-conn" -> Strategy.LEAST_CONNECTIONS;
            case "ip-hash" -> Strategy.IP_HASH;
            default -> throw new Args.UsageException(
                    "tcp-proxy: --strategy is round-robin, least-conn or ip-hash, got '" + name + "'");
        };
    }

    public static void main(String[] args) throws InterruptedException, UnknownHostException {
        Args a = Args.parse("tcp-proxy", args, "--upstream", "--port", "--bind", "--strategy", "--check",
                "--idle-timeout");
        String upstreams = a.value("--upstream", null);
        if (upstreams == null) {
            throw new Args.UsageException("tcp-proxy: --upstream host:port[,host:port...] is required");
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        UpstreamGroup group;
        try {
            group = group(upstreams, strategy(a.value("--strategy", "round-robin")),
                    a.durationValue("--check", Duration.ofSeconds(2)), registry);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("tcp-proxy: " + e.getMessage());
        }
        TcpProxy proxy = start(group, InetAddress.getByName(a.value("--bind", "127.0.0.1")), a.intValue("--port", 9000),
                a.durationValue("--idle-timeout", Duration.ofMinutes(10)), registry);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            group.close();
        }));
        System.out.printf("tcp proxy listening on port %d, relaying to %s (%s); Ctrl-C stops it%n",
                proxy.port(), group.upstreams(), group.strategy());
        proxy.awaitClose();
    }
}
