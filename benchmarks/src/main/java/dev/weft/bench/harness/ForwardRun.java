package dev.weft.bench.harness;

import dev.weft.bench.load.ClientProtocol;
import dev.weft.bench.load.LoadResult;
import dev.weft.bench.load.TunnelClient;
import dev.weft.bench.load.Warmup;
import dev.weft.bench.proc.ChildJvm;
import dev.weft.bench.servers.ServerKind;
import dev.weft.bench.servers.ServerMain;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One proxy's run of the forward-proxy scenario ({@link dev.weft.bench.servers.Protocol#FORWARD}).
 *
 * <p><b>wrk</b>: a {@code netty-http} backend in a JVM of its own, anew for every measurement (as in
 * the reverse-proxy scenario), the proxy started beside it ({@code weft-fwd} in its own JVM, Squid
 * or tinyproxy from their binaries; {@code direct}: none), the connection warm-up with one request
 * per connection ({@link Warmup#forward}: tinyproxy closes every connection after one response,
 * where the other scenarios make five), a wrk warm-up run and the measured run, wrk connecting to
 * the proxy and asking for {@code http://127.0.0.1:BACKEND/hello} ({@link Wrk#throughProxy};
 * {@code direct}: {@code GET /hello} to the backend). The proxy's CPU time and context switches are
 * read around the measured run ({@code direct}: the backend's).
 *
 * <p><b>tunnel</b>: a {@link TunnelClient} in a JVM of its own starts its sink, the proxy starts
 * letting {@code CONNECT} reach the sink's port only, and the client uploads 100 MiB at a time
 * through it (a new tunnel for each; {@code direct}: straight to the sink) for the warm-up time,
 * then for the measured time, while the proxy's CPU time and context switches are read
 * ({@code direct}: none, the figures are not measured).
 */
final class ForwardRun {

    /** The size of one upload. */
    static final int TUNNEL_MIB = 100;
    /** The longest one upload may take. */
    private static final long UPLOAD_TIMEOUT_SECONDS = 60;
    private static final long START_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** {@link ServerMain}'s {@code --connect-port} when nothing is tunnelled: Squid's and the proxies' default. */
    private static final int NO_TUNNEL_PORT = 443;

    private final BenchOptions options;
    private final Path logs;

    ForwardRun(BenchOptions options, Path logs) {
        this.options = options;
        this.logs = logs;
    }

    Measurement run(Scenario scenario, ServerKind kind, int repetition, String tag)
            throws IOException, InterruptedException {
        return scenario.tool() == Scenario.Tool.TUNNEL ? tunnel(scenario, kind, repetition, tag)
                : wrk(scenario, kind, repetition, tag);
    }

    private Measurement wrk(Scenario scenario, ServerKind kind, int repetition, String tag)
            throws IOException, InterruptedException {
        int max = scenario.connections() + 100;
        try (ChildJvm backend = ChildJvm.start("backend netty-http", options.jvmFlags(), ServerMain.class,
                List.of("--server", ServerKind.NETTY_HTTP.label(), "--max-connections", String.valueOf(max)),
                logs.resolve(tag + "-backend.log"))) {
            int backendPort = LoadRun.awaitPort(backend);
            try (ProxyUnderTest proxy = ProxyUnderTest.start(kind, backendPort, backend,
                    serverArgs(max, NO_TUNNEL_PORT), NO_TUNNEL_PORT, options, logs, tag)) {
                Warmup.forward(proxy.port(), kind == ServerKind.DIRECT ? 0 : backendPort);
                if (!options.warmup().isZero()) {
                    load(kind, proxy, backendPort, scenario.connections(), options.warmup(), tag + "-wrk-warmup");
                }
                long cpu0 = proxy.cpuNanos();
                long switches0 = proxy.contextSwitches();
                LoadResult result = load(kind, proxy, backendPort, scenario.connections(), options.duration(),
                        tag + "-wrk");
                long cpu = proxy.cpuNanos() - cpu0;
                long switches = proxy.contextSwitches() - switches0;
                double requests = Math.max(1, result.messages());
                return new Measurement(scenario, kind.label(), repetition, result, Double.NaN, Double.NaN,
                        cpu / 1e3 / requests, proxy.switchesCounted() ? switches / requests : Double.NaN);
            }
        }
    }

    /** One wrk run: through the proxy in absolute form, or for {@code direct} straight to the backend. */
    private LoadResult load(ServerKind kind, ProxyUnderTest proxy, int backendPort, int connections,
            Duration duration, String name) throws IOException, InterruptedException {
        Path log = logs.resolve(name + ".log");
        if (kind == ServerKind.DIRECT) {
            return Wrk.run(backendPort, connections, duration, log);
        }
        return Wrk.throughProxy(proxy.port(), backendPort, connections, duration, logs.resolve(name + ".lua"), log);
    }

    private Measurement tunnel(Scenario scenario, ServerKind kind, int repetition, String tag)
            throws IOException, InterruptedException {
        try (ChildJvm client = ChildJvm.start("tunnel client", options.jvmFlags(), TunnelClient.class,
                List.of("--mib", String.valueOf(TUNNEL_MIB), "--warmup", String.valueOf(options.warmup().toSeconds()),
                        "--duration", String.valueOf(options.duration().toSeconds()),
                        "--upload-timeout", String.valueOf(UPLOAD_TIMEOUT_SECONDS)),
                logs.resolve(tag + "-client.log"))) {
            int sink = awaitSink(client);
            try (ProxyUnderTest proxy = ProxyUnderTest.start(kind, sink, null, serverArgs(100, sink), sink, options,
                    logs, tag)) {
                boolean direct = kind == ServerKind.DIRECT;
                client.send(TunnelClient.upload(proxy.port(), direct ? 0 : sink));
                long deadline = System.nanoTime() + options.warmup().toNanos() + options.duration().toNanos()
                        + TimeUnit.SECONDS.toNanos(2 * UPLOAD_TIMEOUT_SECONDS + 30);
                long cpu0 = -1;
                long switches0 = 0;
                for (String line; (line = client.next(deadline)) != null; ) {
                    if (line.equals(ClientProtocol.MEASURING)) {
                        cpu0 = proxy.cpuNanos();
                        switches0 = proxy.contextSwitches();
                    } else if (ClientProtocol.parse(line) instanceof ClientProtocol.Result r) {
                        boolean sampled = cpu0 >= 0 && !direct;
                        double mib = Math.max(1, r.result().messages());
                        return new Measurement(scenario, kind.label(), repetition, r.result(), Double.NaN, Double.NaN,
                                sampled ? (proxy.cpuNanos() - cpu0) / 1e3 / mib : Double.NaN,
                                sampled && proxy.switchesCounted()
                                        ? (proxy.contextSwitches() - switches0) / mib : Double.NaN);
                    }
                }
                throw new ChildJvm.ChildFailure("the tunnel client sent no result in time; see " + client.log());
            }
        }
    }

    /** {@code weft-fwd}'s flags: the connection limit and the one port {@code CONNECT} may reach. */
    private static List<String> serverArgs(int maxConnections, int connectPort) {
        return List.of("--max-connections", String.valueOf(maxConnections), "--connect-port",
                String.valueOf(connectPort));
    }

    private static int awaitSink(ChildJvm client) throws InterruptedException {
        long deadline = System.nanoTime() + START_NANOS;
        for (String line; (line = client.next(deadline)) != null; ) {
            if (line.startsWith(TunnelClient.SINK)) {
                return Integer.parseInt(line.substring(TunnelClient.SINK.length()).trim());
            }
        }
        throw new ChildJvm.ChildFailure("the tunnel client's sink did not start in time; see " + client.log());
    }
}
