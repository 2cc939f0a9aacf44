package dev.weft.bench.demo;

import dev.weft.bench.Args;
import dev.weft.bench.Loopback;
import dev.weft.bench.json.BenchJson;
import dev.weft.bench.load.ClientProtocol;
import dev.weft.bench.load.LoadClient;
import dev.weft.bench.load.LoadResult;
import dev.weft.bench.load.Warmup;
import dev.weft.bench.proc.ChildJvm;
import dev.weft.bench.proc.ServerSample;
import dev.weft.bench.servers.Protocol;
import dev.weft.examples.EchoServer;
import dev.weft.tcp.ServerOptions;
import dev.weft.tcp.TcpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The C10K proof that {@code ./weft demo} runs: Weft's raw echo server in this JVM, and an
 * {@link dev.weft.bench.load.LoadClient} in a child JVM (each process may open only 20,000
 * files here) that opens 10,000 connections to it. With every connection open and idle, it
 * measures the server's resident memory, live heap and threads against a baseline taken before;
 * then the client runs ping-pong on all connections, checking every reply byte for byte. Prints a
 * table and writes the figures as JSON.
 *
 * <p>Exit status: 0 when every connection was held and nothing failed, 1 otherwise, 2 for a wrong
 * command line. Every phase has a time limit; the client is destroyed if it outlives the demo.
 */
public final class C10kDemo {

    /** Room over the requested connections in the server's limit (the warm-up's are closed by then). */
    private static final int HEADROOM = 100;
    private static final int HISTOGRAM_ROWS = 25;
    private static final Duration DRAIN = Duration.ofSeconds(2);
    private static final long HELD_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Time for the client JVM to start and stop, on top of its own ramp and ping-pong limits. */
    private static final long CLIENT_SLACK_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** The client's reply timeout and grace after the ping-pong deadline (see LoadPhase). */
    private static final long PING_PONG_GRACE_NANOS = TimeUnit.SECONDS.toNanos(7);
    /** The framework logs its start at INFO; the demo's output is the table. Held so it is not collected. */
    private static final Logger WEFT_LOGS = Logger.getLogger("dev.weft");

    private C10kDemo() {
    }

    public static void main(String[] args) throws Exception {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (Args.UsageException e) {
            System.err.println("weft " + e.getMessage() + "; usage: ./weft " + DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        int status;
        try {
            status = run(options);
        } catch (DemoFailure | ChildJvm.ChildFailure e) {
            System.err.println("weft demo: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    static int run(DemoOptions options) throws IOException, InterruptedException {
        Path dir = options.out().toAbsolutePath().getParent();
        Files.createDirectories(dir);
        WEFT_LOGS.setLevel(Level.WARNING);
        boolean terminal = ProgressBar.stdoutIsTerminal();
        DemoReport report;
        try (TcpServer server = startServer(options)) {
            System.out.printf("Echo server (raw) on 127.0.0.1:%d in this JVM (pid %d); %s the baseline...%n",
                    server.port(), ProcessHandle.current().pid(), options.warmup() ? "warming up, then" : "measuring");
            if (options.warmup()) {
                Warmup.run(Protocol.ECHO, server.port());
                awaitHeld(server, 0);
            }
            ServerSample baseline = ServerSample.afterGc();
            long rampSeconds = 30 + options.connections() / 250;
            try (ChildJvm client = startClient(server.port(), options, rampSeconds, dir.resolve("client.log"))) {
                System.out.printf("Load client started in a separate JVM; opening %,d connections...%n",
                        options.connections());
                ClientProtocol.Ready ready = awaitReady(client, server, options, rampSeconds, terminal);
                int held = awaitHeld(server, ready.connected());
                System.out.printf("Holding %,d idle connections; measuring the server...%n", held);
                ServerSample idle = ServerSample.afterGc();
                Path histogram = null;
                if (options.histogram()) {
                    histogram = dir.resolve("histogram.txt");
                    HeapHistogram.save(histogram, HISTOGRAM_ROWS);
                }
                client.send(ClientProtocol.GO);
                LoadResult result = awaitResult(client, options, terminal);
                report = new DemoReport(options, ServerJvm.current(), client.jvmFlags(), baseline, idle, held,
                        ready, result, histogram);
            }
        }
        publish(report);
        return report.passed() ? 0 : 1;
    }

    /** Prints the table and the verdict, and writes the JSON report. */
    private static void publish(DemoReport report) throws IOException {
        Path out = report.options().out();
        Files.writeString(out, BenchJson.pretty(report.saved()), StandardCharsets.UTF_8);
        System.out.println();
        System.out.print(report.table());
        System.out.println();
        report.problems().forEach(p -> System.out.println("FAIL: " + p));
        System.out.println((report.passed() ? "PASS" : "FAIL") + "; JSON report: " + out
                + (report.histogram() == null ? "" : "; heap histogram: " + report.histogram()));
    }

    private static TcpServer startServer(DemoOptions options) {
        return TcpServer.builder()
                .name("demo-echo")
                .bindAddress(Loopback.address())
                .port(0)
                .maxConnections(options.connections() + HEADROOM)
                .drainTimeout(DRAIN)
                .clientSpeaksFirst(ServerOptions.DEFAULT_IDLE_TIMEOUT)
                .handler(EchoServer::echoRaw)
                .start();
    }

    /** The load client's JVM: the serial collector leaves both cores to the measured work; a heap sized for 10,000 sockets. */
    static final List<String> CLIENT_JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms256m", "-Xmx1g");

    private static ChildJvm startClient(int port, DemoOptions options, long rampSeconds, Path log)
            throws IOException {
        return ChildJvm.start("load client", CLIENT_JVM_FLAGS, LoadClient.class, List.of(
                "--port", String.valueOf(port),
                "--connections", String.valueOf(options.connections()),
                "--duration", String.valueOf(options.duration()),
                "--payload", String.valueOf(options.payload()),
                "--ramp-timeout", String.valueOf(rampSeconds)), log);
    }

    private static ClientProtocol.Line next(ChildJvm client, long deadline) throws InterruptedException {
        String line = client.next(deadline);
        return line == null ? null : ClientProtocol.parse(line);
    }

    private static ClientProtocol.Ready awaitReady(ChildJvm client, TcpServer server, DemoOptions options,
            long rampSeconds, boolean terminal) throws InterruptedException {
        ProgressBar bar = new ProgressBar("connecting", options.connections(), System.out, terminal);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(rampSeconds) + CLIENT_SLACK_NANOS;
        while (true) {
            ClientProtocol.Line line = next(client, deadline);
            switch (line) {
                case null -> throw new DemoFailure("the load client did not finish connecting in time; see "
                        + client.log());
                case ClientProtocol.Progress p -> bar.update(p.connected(), rampNote(p.errors(), server));
                case ClientProtocol.Ready r -> {
                    bar.finish(r.connected(), rampNote(r.errors(), server));
                    return r;
                }
                default -> passThrough(line);
            }
        }
    }

    private static LoadResult awaitResult(ChildJvm client, DemoOptions options, boolean terminal)
            throws InterruptedException {
        ProgressBar bar = new ProgressBar("ping-pong ", options.duration(), System.out, terminal);
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(options.duration()) + PING_PONG_GRACE_NANOS
                + CLIENT_SLACK_NANOS;
        while (true) {
            long tick = Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250));
            ClientProtocol.Line line = next(client, tick);
            int elapsed = (int) TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            switch (line) {
                case null -> {
                    if (System.nanoTime() >= deadline) {
                        throw new DemoFailure("the load client sent no result in time; see " + client.log());
                    }
                    bar.update(elapsed, "seconds");
                }
                case ClientProtocol.Result r -> {
                    bar.finish(options.duration(), "seconds");
                    return r.result();
                }
                default -> passThrough(line);
            }
        }
    }

    /**
     * Waits until the server holds {@code expected} connections: all the client connected (the last
     * may still sit in the backlog), or none after the warm-up.
     */
    private static int awaitHeld(TcpServer server, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + HELD_WAIT_NANOS;
        while (server.activeConnections() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return server.activeConnections();
    }

    private static String rampNote(int errors, TcpServer server) {
        return String.format("errors %,d, server holds %,d", errors, server.activeConnections());
    }

    private static void passThrough(ClientProtocol.Line line) {
        if (line instanceof ClientProtocol.Other other && !other.text().equals(ClientProtocol.MEASURING)) {
            System.err.println("client: " + other.text());
        }
    }
}
