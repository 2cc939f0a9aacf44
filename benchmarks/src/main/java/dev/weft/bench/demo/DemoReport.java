package dev.weft.bench.demo;

import dev.weft.bench.load.ClientProtocol;
import dev.weft.bench.load.LoadResult;
import dev.weft.bench.load.Warmup;
import dev.weft.bench.proc.ServerSample;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one demo run measured, as the table printed at the end and as the JSON report.
 *
 * @param options     the demo's flags
 * @param serverJvm   the server JVM: its flags, collector and carrier threads
 * @param clientFlags the load client's JVM flags
 * @param baseline    the server after warm-up, before the client connected
 * @param idle        the server holding every connection, all idle
 * @param held        connections the server held at idle ({@code TcpServer.activeConnections()})
 * @param ready       what the client reported after its ramp
 * @param result      what the client measured during ping-pong
 * @param histogram   where the heap histogram went, or {@code null}
 */
record DemoReport(
        DemoOptions options,
        ServerJvm serverJvm,
        List<String> clientFlags,
        ServerSample baseline,
        ServerSample idle,
        int held,
        ClientProtocol.Ready ready,
        LoadResult result,
        Path histogram) {

    private static final double KIB = 1024.0;
    private static final double MIB = 1024.0 * 1024.0;

    /** Resident memory the server gained per held connection, KiB. */
    double rssPerConnectionKiB() {
        return perConnection(idle.rssBytes() - baseline.rssBytes());
    }

    /** Live heap the server gained per held connection, KiB. */
    double heapPerConnectionKiB() {
        return perConnection(idle.heapUsedBytes() - baseline.heapUsedBytes());
    }

    /** What kept this run from passing; empty when every connection was held and nothing failed. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (held != options.connections()) {
            problems.add(String.format("the server held %,d of %,d connections", held, options.connections()));
        }
        if (result.connectErrors() > 0) {
            problems.add(String.format("%,d connects failed", result.connectErrors()));
        }
        if (result.errors() > 0) {
            problems.add(String.format("%,d connections had echo errors; the first: %s",
                    result.errors(), result.firstError()));
        }
        return problems;
    }

    boolean passed() {
        return problems().isEmpty();
    }

    /** The human-readable summary. */
    String table() {
        StringBuilder t = new StringBuilder();
        t.append(String.format("C10K echo demo: %,d connections, %d s ping-pong, %d-byte messages%n",
                options.connections(), options.duration(), options.payload()));
        t.append(String.format("server JVM: JDK %s, %d cores, %s, flags: %s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), serverJvm.gc(), flags(serverJvm.flags())));
        t.append(String.format("client JVM: separate process, flags: %s%n", flags(clientFlags)));
        t.append(String.format("server warm-up: %s%n%n", warmup()));
        row(t, "connections held", String.format("%,d / %,d", held, options.connections()),
                String.format("client ramp %.1f s", ready.rampMillis() / 1000.0));
        row(t, "connect errors", String.format("%,d", result.connectErrors()), "");
        row(t, "echo errors", String.format("%,d", result.errors()),
                "every reply checked byte for byte");
        row(t, "messages/s", String.format("%,.0f", result.msgsPerSec()),
                String.format("%,d round trips in %.1f s", result.messages(), result.seconds()));
        row(t, "latency p50/p99/p99.9", String.format("%s / %s / %s ms", ms(result.p50Us()), ms(result.p99Us()),
                ms(result.p999Us())), "max " + ms(result.maxUs()) + " ms");
        row(t, "server RSS per conn", String.format("%.2f KiB", rssPerConnectionKiB()),
                String.format("%+.1f MiB over a %.1f MiB baseline; heap committed %+.1f MiB",
                        (idle.rssBytes() - baseline.rssBytes()) / MIB, baseline.rssBytes() / MIB,
                        (idle.heapCommittedBytes() - baseline.heapCommittedBytes()) / MIB));
        row(t, "server heap per conn", String.format("%.2f KiB", heapPerConnectionKiB()),
                String.format("%+.1f MiB live after GC", (idle.heapUsedBytes() - baseline.heapUsedBytes()) / MIB));
        row(t, "server threads", String.format("%d OS vs %,d virtual", idle.osThreads(), held),
                String.format("%d carrier threads run the virtual ones", serverJvm.carriers()));
        return t.toString();
    }

    /** The JSON report, {@code c10k.json}: the figures of the table first, then how they were measured. */
    Saved saved() {
        Figures figures = new Figures(held, result.connectErrors(), result.errors(), round(result.msgsPerSec()),
                result.p50Us(), result.p99Us(), result.p999Us(), result.maxUs(), round(rssPerConnectionKiB()),
                round(heapPerConnectionKiB()), idle.osThreads(), held, serverJvm.carriers());
        ServerPart server = new ServerPart(serverJvm.flags(), serverJvm.gc(), serverJvm.carriers(), warmup(), baseline,
                idle);
        ClientPart client = new ClientPart(clientFlags, ready.rampMillis(), result);
        return new Saved(Instant.now().toString(), Runtime.version().toString(),
                System.getProperty("java.vm.name") + " (" + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                Runtime.getRuntime().availableProcessors(), options, passed(), problems(), figures, server, client,
                histogram == null ? null : histogram.toString());
    }

    /**
     * The layout of {@code c10k.json}; a figure not measured is {@code null}.
     *
     * @param date     when the report was written
     * @param jdk      the JDK's version
     * @param vm       the VM's name and vendor
     * @param os       the operating system's name and version
     * @param cores    processors available
     * @param flags    the demo's flags
     * @param passed   whether every connection was held and nothing failed
     * @param problems what kept it from passing
     * @param results  the figures of the table
     * @param server   how the server ran and its samples
     * @param client   how the load client ran and what it measured
     * @param histogram where the heap histogram went, or {@code null}
     */
    record Saved(String date, String jdk, String vm, String os, int cores, DemoOptions flags, boolean passed,
            List<String> problems, Figures results, ServerPart server, ClientPart client, String histogram) {
    }

    /** The figures of the table; messages per second and memory per connection to two decimals. */
    record Figures(int connectionsHeld, int connectErrors, long echoErrors, double msgsPerSec, double p50Us,
            double p99Us, double p999Us, double maxUs, double serverRssPerConnKiB, double serverHeapPerConnKiB,
            int serverOsThreads, int serverVirtualThreads, int carrierThreads) {
    }

    /** The server JVM, its warm-up and its samples before the client connected and at idle. */
    record ServerPart(List<String> jvmFlags, String gc, int carrierThreads, String warmup, ServerSample baseline,
            ServerSample idle) {
    }

    /** The load client's JVM, its ramp and what it measured. */
    record ClientPart(List<String> jvmFlags, long rampMillis, LoadResult result) {
    }

    private String warmup() {
        return options.warmup() ? Warmup.description() : "none (--no-warmup: cold JIT, larger stacks per thread)";
    }

    private double perConnection(long bytes) {
        return held == 0 ? Double.NaN : bytes / KIB / held;
    }

    private static void row(StringBuilder t, String name, String value, String note) {
        t.append(String.format("  %-22s %-22s %s%n", name, value, note.isEmpty() ? "" : "(" + note + ")"));
    }

    private static String ms(double micros) {
        double ms = micros / 1000.0;
        return String.format(ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
    }

    private static String flags(List<String> flags) {
        return flags.isEmpty() ? "(none)" : String.join(" ", flags);
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 100) / 100.0 : v;
    }
}
