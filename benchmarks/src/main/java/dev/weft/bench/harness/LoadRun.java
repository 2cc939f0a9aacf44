package dev.weft.bench.harness;

import dev.weft.bench.json.BenchJson;
import dev.weft.bench.load.ClientProtocol;
import dev.weft.bench.load.LoadClient;
import dev.weft.bench.load.LoadResult;
import dev.weft.bench.load.Warmup;
import dev.weft.bench.proc.ChildJvm;
import dev.weft.bench.proc.Proc;
import dev.weft.bench.proc.ServerSample;
import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import dev.weft.bench.servers.ServerMain;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One server's run of one scenario: the server in a JVM of its own ({@link ServerMain}), warmed up
 * the same way for every server, a baseline sample; then the load tool in another process opens
 * the connections, the server is sampled holding them idle, and the measured phase runs while the
 * server's CPU time and context switches are read from {@code /proc}. Every wait is bounded; both
 * processes are gone when {@link #run} returns or throws.
 *
 * <p>The reverse-proxy scenario ({@link Protocol#PROXY}) runs differently, see {@link #proxied}: a
 * backend of its own for each measurement, the proxy in front of it, wrk through the proxy. So do
 * the forward-proxy scenario ({@link Protocol#FORWARD}, {@link ForwardRun}) and the TCP-proxy
 * scenario ({@link Protocol#TCP_PROXY}, {@link #tcpProxied}: the load client through the proxy).
 */
final class LoadRun {

    private static final long START_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Time for the client JVM to start and stop and for replies to time out, on top of ramp and duration. */
    private static final long CLIENT_SLACK_NANOS = TimeUnit.SECONDS.toNanos(40);
    private static final double KIB = 1024.0;

    private final BenchOptions options;
    private final Path logs;

    LoadRun(BenchOptions options, Path logs) {
        this.options = options;
        this.logs = logs;
    }

    Measurement run(Scenario scenario, ServerKind kind, int repetition) throws IOException, InterruptedException {
        String tag = kind.label() + "-" + scenario.name().replaceAll("[^A-Za-z0-9]+", "-") + "-" + repetition;
        if (scenario.protocol() == Protocol.PROXY) {
            return proxied(scenario, kind, repetition, tag);
        }
        if (scenario.protocol() == Protocol.FORWARD) {
            return new ForwardRun(options, logs).run(scenario, kind, repetition, tag);
        }
        if (scenario.protocol() == Protocol.TCP_PROXY) {
            return tcpProxied(scenario, kind, repetition, tag);
        }
        try (ChildJvm server = ChildJvm.start("server " + kind.label(), options.jvmFlags(), ServerMain.class,
                List.of("--server", kind.label(), "--max-connections", String.valueOf(scenario.connections() + 100)),
                logs.resolve(tag + "-server.log"))) {
            int port = awaitPort(server);
            Warmup.run(scenario.protocol(), port);
            ServerSample baseline = sample(server);
            Proc proc = Proc.of(server.pid());
            if (scenario.tool() == Scenario.Tool.WRK) {
                if (!options.warmup().isZero()) { // wrk has no warm-up of its own: a short run first, not kept
                    Wrk.run(port, scenario.connections(), options.warmup(), logs.resolve(tag + "-wrk-warmup.log"));
                }
                long cpu0 = proc.cpuNanos();
                long switches0 = proc.contextSwitches();
                LoadResult result = Wrk.run(port, scenario.connections(), options.duration(),
                        logs.resolve(tag + "-wrk.log"));
                return measurement(scenario, kind, repetition, result, Double.NaN, Double.NaN,
                        proc.cpuNanos() - cpu0, proc.contextSwitches() - switches0);
            }
            try (ChildJvm client = ChildJvm.start("load client", options.jvmFlags(), LoadClient.class,
                    clientArgs(scenario, port), logs.resolve(tag + "-client.log"))) {
                ClientProtocol.Ready ready = awaitReady(client, scenario);
                ServerSample idle = sample(server);
                client.send(ClientProtocol.GO);
                awaitMeasuring(client);
                long cpu0 = proc.cpuNanos();
                long switches0 = proc.contextSwitches();
                LoadResult result = awaitResult(client);
                long cpu = proc.cpuNanos() - cpu0;
                long switches = proc.contextSwitches() - switches0;
                double conns = Math.max(1, ready.connected());
                return measurement(scenario, kind, repetition, result,
                        (idle.rssBytes() - baseline.rssBytes()) / KIB / conns,
                        (idle.heapUsedBytes() - baseline.heapUsedBytes()) / KIB / conns, cpu, switches);
            }
        }
    }

    /**
     * One proxy's run of the reverse-proxy scenario. A {@code netty-http} backend starts in a JVM of
     * its own, anew for every measurement, so that each proxy meets the same backend: warmed up only
     * by what goes through this proxy, with no connections left from the proxy before it. Then the
     * proxy starts in front of it ({@code weft-proxy} in its own JVM, nginx or HAProxy from their
     * binaries; {@code direct}: none, the load goes to the backend), gets the same connection
     * warm-up as every server, a wrk warm-up run, and the measured wrk run, during which the
     * proxy's CPU time and context switches are read ({@code direct}: the backend's).
     */
    private Measurement proxied(Scenario scenario, ServerKind kind, int repetition, String tag)
            throws IOException, InterruptedException {
        int max = scenario.connections() + 100;
        try (ChildJvm backend = ChildJvm.start("backend netty-http", options.jvmFlags(), ServerMain.class,
                List.of("--server", ServerKind.NETTY_HTTP.label(), "--max-connections", String.valueOf(max)),
                logs.resolve(tag + "-backend.log"));
                ProxyUnderTest proxy = startProxy(kind, awaitPort(backend), backend, max, tag)) {
            Warmup.run(Protocol.HTTP, proxy.port());
            if (!options.warmup().isZero()) {
                Wrk.run(proxy.port(), scenario.connections(), options.warmup(), logs.resolve(tag + "-wrk-warmup.log"));
            }
            long cpu0 = proxy.cpuNanos();
            long switches0 = proxy.contextSwitches();
            LoadResult result = Wrk.run(proxy.port(), scenario.connections(), options.duration(),
                    logs.resolve(tag + "-wrk.log"));
            return measurement(scenario, kind, repetition, result, Double.NaN, Double.NaN,
                    proxy.cpuNanos() - cpu0, proxy.contextSwitches() - switches0);
        }
    }

    /**
     * One proxy's run of the TCP-proxy scenario, as {@link #proxied} with echo for HTTP: a
     * {@code netty} echo backend in a JVM of its own, anew for every measurement; the proxy in
     * front of it ({@code weft-tcp-proxy} in its own JVM, HAProxy {@code mode tcp} from its binary;
     * {@code direct}: none, the load goes to the backend); the same connection warm-up as every
     * server, through the proxy; then the load client, in a JVM of its own, opens the connections
     * through the proxy (each one a backend connection too) and runs its closed loop of 64-byte
     * messages, warm-up and measured phase, while the proxy's CPU time and context switches are
     * read ({@code direct}: the backend's). No memory is sampled: a peer is no JVM.
     */
    private Measurement tcpProxied(Scenario scenario, ServerKind kind, int repetition, String tag)
            throws IOException, InterruptedException {
        int max = scenario.connections() + 100;
        try (ChildJvm backend = ChildJvm.start("backend netty", options.jvmFlags(), ServerMain.class,
                List.of("--server", ServerKind.NETTY.label(), "--max-connections", String.valueOf(max)),
                logs.resolve(tag + "-backend.log"));
                ProxyUnderTest proxy = startProxy(kind, awaitPort(backend), backend, max, tag)) {
            Warmup.run(Protocol.ECHO, proxy.port());
            try (ChildJvm client = ChildJvm.start("load client", options.jvmFlags(), LoadClient.class,
                    clientArgs(scenario, proxy.port()), logs.resolve(tag + "-client.log"))) {
                awaitReady(client, scenario);
                client.send(ClientProtocol.GO);
                awaitMeasuring(client);
                long cpu0 = proxy.cpuNanos();
                long switches0 = proxy.contextSwitches();
                LoadResult result = awaitResult(client);
                return measurement(scenario, kind, repetition, result, Double.NaN, Double.NaN,
                        proxy.cpuNanos() - cpu0, proxy.contextSwitches() - switches0);
            }
        }
    }

    private ProxyUnderTest startProxy(ServerKind kind, int backendPort, ChildJvm backend, int max, String tag)
            throws IOException, InterruptedException {
        return ProxyUnderTest.start(kind, backendPort, backend, List.of("--max-connections", String.valueOf(max),
                "--backend-port", String.valueOf(backendPort)), backendPort, options, logs, tag);
    }

    private static Measurement measurement(Scenario scenario, ServerKind kind, int repetition, LoadResult result,
            double rssKiB, double heapKiB, long cpuNanos, long switches) {
        double msgs = Math.max(1, result.messages());
        return new Measurement(scenario, kind.label(), repetition, result, rssKiB, heapKiB,
                cpuNanos / 1e3 / msgs, switches / msgs);
    }

    /** The load client's flags; through a TCP proxy it speaks echo. */
    private List<String> clientArgs(Scenario scenario, int port) {
        Protocol spoken = scenario.protocol() == Protocol.TCP_PROXY ? Protocol.ECHO : scenario.protocol();
        return List.of(
                "--port", String.valueOf(port),
                "--protocol", spoken.name(),
                "--connections", String.valueOf(scenario.connections()),
                "--warmup", String.valueOf(options.warmup().toSeconds()),
                "--duration", String.valueOf(options.duration().toSeconds()),
                "--rate", String.valueOf(scenario.rate()),
                "--ramp-timeout", String.valueOf(rampSeconds(scenario)));
    }

    private static long rampSeconds(Scenario scenario) {
        return 30 + scenario.connections() / 250;
    }

    static int awaitPort(ChildJvm server) throws InterruptedException {
        long deadline = System.nanoTime() + START_NANOS;
        for (String line; (line = server.next(deadline)) != null; ) {
            if (line.startsWith(ServerMain.LISTENING)) {
                return Integer.parseInt(line.substring(ServerMain.LISTENING.length()).trim());
            }
        }
        throw new ChildJvm.ChildFailure("the server did not start listening in time; see " + server.log());
    }

    private static ServerSample sample(ChildJvm server) throws IOException, InterruptedException {
        server.send(ServerMain.SAMPLE);
        long deadline = System.nanoTime() + SAMPLE_NANOS;
        for (String line; (line = server.next(deadline)) != null; ) {
            if (line.startsWith(ServerMain.SAMPLE + " ")) {
                return BenchJson.read(line.substring(ServerMain.SAMPLE.length() + 1), ServerSample.class);
            }
        }
        throw new ChildJvm.ChildFailure("the server sent no memory sample in time; see " + server.log());
    }

    private static ClientProtocol.Ready awaitReady(ChildJvm client, Scenario scenario) throws InterruptedException {
        long deadline = System.nanoTime() + CLIENT_SLACK_NANOS + TimeUnit.SECONDS.toNanos(rampSeconds(scenario));
        for (String line; (line = client.next(deadline)) != null; ) {
            if (ClientProtocol.parse(line) instanceof ClientProtocol.Ready ready) {
                return ready;
            }
        }
        throw new ChildJvm.ChildFailure("the load client did not finish connecting in time; see " + client.log());
    }

    private void awaitMeasuring(ChildJvm client) throws InterruptedException {
        long deadline = System.nanoTime() + options.warmup().toNanos() + CLIENT_SLACK_NANOS;
        for (String line; (line = client.next(deadline)) != null; ) {
            if (line.equals(ClientProtocol.MEASURING)) {
                return;
            }
        }
        throw new ChildJvm.ChildFailure("the load client's warm-up did not end in time; see " + client.log());
    }

    private LoadResult awaitResult(ChildJvm client) throws InterruptedException {
        long deadline = System.nanoTime() + options.duration().toNanos() + CLIENT_SLACK_NANOS;
        for (String line; (line = client.next(deadline)) != null; ) {
            if (ClientProtocol.parse(line) instanceof ClientProtocol.Result r) {
                return r.result();
            }
        }
        throw new ChildJvm.ChildFailure("the load client sent no result in time; see " + client.log());
    }
}
