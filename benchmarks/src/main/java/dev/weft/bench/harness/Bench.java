package dev.weft.bench.harness;

import dev.weft.bench.Args;
import dev.weft.bench.json.BenchJson;
import dev.weft.bench.load.LoadResult;
import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./weft bench}: the side-by-side comparison. First the load harness: in each repetition,
 * every scenario runs against each of its servers in turn (A, B, C, then B, C, A, ...), every server in
 * a JVM of its own and the load in another process; then the JMH suite. Writes
 * {@code results.json}, {@code results.md}, one chart per protocol and JMH's JSON to the output
 * directory, and with {@code --update-readme} puts the table and charts into README.md.
 *
 * <p>Exit status: 0 when every run completed, 1 if one failed (the rest still run and are
 * reported), 2 for a wrong command line.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("--render")) {
            rerender(Path.of(args[1]), List.of(args).contains("--update-readme"));
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (Args.UsageException e) {
            System.err.println("weft " + e.getMessage() + "; usage: ./weft " + BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options, "./weft bench " + String.join(" ", args)) ? 0 : 1);
    }

    static boolean run(BenchOptions options, String command) throws IOException, InterruptedException {
        Instant start = Instant.now();
        long t0 = System.nanoTime();
        Path out = options.out().toAbsolutePath();
        Path logs = out.resolve("logs");
        Files.createDirectories(logs);
        List<Measurement> measurements = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        String peers = "";
        if (options.load()) {
            boolean wrk = Wrk.installed();
            if (!wrk) {
                System.out.println("wrk is not installed: the wrk, reverse-proxy and forward-proxy wrk scenarios are"
                        + " skipped (./weft bench installs it).");
            }
            List<String> skipped = new ArrayList<>();
            List<Scenario> scenarios = withoutMissingForwardPeers(options.scenarios(wrk), skipped);
            skipped.forEach(m -> System.out.println("weft bench: " + m));
            List<String> missing = missingPeers(scenarios);
            if (!missing.isEmpty()) {
                missing.forEach(m -> System.out.println("weft bench: " + m));
                return false;
            }
            peers = String.join(", ", ProxyPeer.kindsIn(scenarios).stream() // HAProxy once, for both its kinds
                    .map(k -> ProxyPeer.of(k).orElseThrow().describe()).distinct().toList());
            runLoad(options, scenarios, logs, measurements, failures);
        }
        List<JmhRow> jmh = List.of();
        if (options.jmh()) {
            System.out.println("JMH suite (" + (options.quick() ? "quick" : "2 forks each") + ")...");
            jmh = JmhSuite.run(options.quick(), out.resolve("jmh.json"), options.jvmFlags(), System.out);
        }
        RunInfo info = RunInfo.current(command, start, Duration.ofNanos(System.nanoTime() - t0), options.jvmFlags(),
                options.quick(), options.repetitions(), peers);
        Report report = new Report(info, measurements, jmh);
        write(out.resolve("results.json"), BenchJson.pretty(report.saved()));
        publish(report, out, options.updateReadme());
        System.out.println();
        System.out.print(report.markdown(out + "/"));
        failures.forEach(f -> System.out.println("FAILED: " + f));
        System.out.printf("%nDone in %s; results in %s%n", minutes(System.nanoTime() - t0), out);
        return failures.isEmpty();
    }

    /**
     * One sentence for each proxy peer that {@code scenarios} run and that is not installed: a run
     * that asks for nginx or HAProxy without them is an error, not a run without them. (Squid and
     * tinyproxy are left out before: {@link #withoutMissingForwardPeers}.)
     */
    static List<String> missingPeers(List<Scenario> scenarios) {
        List<String> missing = new ArrayList<>();
        for (ServerKind kind : ProxyPeer.kindsIn(scenarios)) {
            ProxyPeer peer = ProxyPeer.of(kind).orElseThrow();
            if (!peer.installed()) {
                missing.add(peer.missing(kind));
            }
        }
        return missing;
    }

    /**
     * {@code scenarios} without the forward-proxy peers (Squid, tinyproxy) that are not installed, and
     * a sentence in {@code skipped} for each: the forward-proxy scenario runs without them (its target
     * is then "not measured"), and the rest of the run goes on.
     */
    static List<Scenario> withoutMissingForwardPeers(List<Scenario> scenarios, List<String> skipped) {
        return withoutMissingForwardPeers(scenarios, skipped, ProxyPeer::installed);
    }

    /** As {@link #withoutMissingForwardPeers(List, List)}, with {@code installed} saying which peers are there. */
    static List<Scenario> withoutMissingForwardPeers(List<Scenario> scenarios, List<String> skipped,
            java.util.function.Predicate<ProxyPeer> installed) {
        List<ServerKind> gone = new ArrayList<>();
        for (ServerKind kind : ProxyPeer.kindsIn(scenarios)) {
            ProxyPeer peer = ProxyPeer.of(kind).orElseThrow();
            if (kind.protocol() == Protocol.FORWARD && !installed.test(peer)) {
                gone.add(kind);
                skipped.add(peer.missing(kind) + " The forward-proxy scenario runs without it.");
            }
        }
        if (gone.isEmpty()) {
            return scenarios;
        }
        return scenarios.stream().map(s -> new Scenario(s.protocol(), s.tool(), s.connections(), s.rate(),
                s.servers().stream().filter(k -> !gone.contains(k)).toList()))
                .filter(s -> !s.servers().isEmpty()).toList();
    }

    /** Writes the tables and charts of {@code report} to {@code out}, and into README.md if asked. */
    private static void publish(Report report, Path out, boolean updateReadme) throws IOException {
        write(out.resolve("results.md"), report.markdown(""));
        for (Protocol p : SvgChart.CHARTED) {
            write(out.resolve(p.name().toLowerCase(java.util.Locale.ROOT) + ".svg"), report.chartSvg(p));
        }
        if (updateReadme) {
            Path readme = Path.of("README.md").toAbsolutePath();
            Readme.update(readme, report.markdown(readme.getParent().relativize(out) + "/"));
        }
    }

    /**
     * {@code ./weft bench --render DIR/results.json [--update-readme]}: makes the tables and charts
     * again from a run's JSON (after a change to the report's layout), without measuring anything.
     */
    private static void rerender(Path json, boolean updateReadme) throws IOException {
        Report report = Report.read(Files.readString(json, StandardCharsets.UTF_8));
        publish(report, json.toAbsolutePath().getParent(), updateReadme);
        System.out.println("Rendered " + report.measurements().size() + " measurements and " + report.jmh().size()
                + " JMH rows from " + json);
    }

    private static void runLoad(BenchOptions options, List<Scenario> scenarios, Path logs,
            List<Measurement> measurements, List<String> failures) throws InterruptedException {
        int total = options.repetitions() * scenarios.stream().mapToInt(s -> s.servers().size()).sum();
        LoadRun runner = new LoadRun(options, logs);
        int done = 0;
        long started = System.nanoTime();
        for (int rep = 1; rep <= options.repetitions(); rep++) {
            for (Scenario scenario : scenarios) {
                for (ServerKind server : scenario.serversIn(rep)) {
                    done++;
                    System.out.printf("[%d/%d] rep %d, %s, %s ... ", done, total, rep, scenario.name(), server);
                    System.out.flush();
                    long t = System.nanoTime();
                    Measurement m;
                    try {
                        m = runner.run(scenario, server, rep);
                    } catch (IOException | RuntimeException e) { // a ChildJvm.ChildFailure among them
                        String why = scenario.name() + " on " + server + ", rep " + rep + ": " + e.getMessage();
                        failures.add(why);
                        m = failed(scenario, server, rep, e);
                    }
                    measurements.add(m);
                    System.out.println(line(m, System.nanoTime() - t, eta(started, done, total)));
                }
            }
        }
    }

    /** A run that could not finish: every connection counts as failed, so no table takes it for a result. */
    private static Measurement failed(Scenario s, ServerKind server, int rep, Exception e) {
        LoadResult none = new LoadResult(s.protocol().name().toLowerCase(java.util.Locale.ROOT), s.rate(), 0,
                s.connections(), 0, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, String.valueOf(e));
        return new Measurement(s, server.label(), rep, none, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    private static String line(Measurement m, long nanos, String eta) {
        LoadResult r = m.result();
        String problems = m.clean() ? "" : String.format(" [connect errors %d, errors %d, timeouts %d: %s]",
                r.connectErrors(), r.errors(), r.timeouts(), r.firstError());
        String memory = Double.isNaN(m.rssPerConnKiB()) ? ""
                : String.format(", idle %.2f KiB RSS / %.2f KiB heap per conn", m.rssPerConnKiB(), m.heapPerConnKiB());
        boolean tunnel = m.scenario().tool() == Scenario.Tool.TUNNEL;
        boolean proxy = m.scenario().protocol().proxied();
        String per = tunnel ? "MiB" : m.scenario().protocol() == Protocol.TCP_PROXY ? "msg" : "req";
        String cpu = proxy && Double.isFinite(m.serverCpuPerMsgUs())
                ? String.format(", proxy CPU %.1f µs/%s", m.serverCpuPerMsgUs(), per) : "";
        String rate = tunnel ? String.format("%,.0f MiB/s, median upload %.1f ms", r.msgsPerSec(), r.p50Us() / 1e3)
                : String.format("%,.0f msgs/s, p99 %.2f ms", r.msgsPerSec(), r.p99Us() / 1e3);
        return String.format("%s%s%s%s (%d s; %s left)", rate, memory, cpu, problems,
                TimeUnit.NANOSECONDS.toSeconds(nanos), eta);
    }

    private static String eta(long started, int done, int total) {
        long per = (System.nanoTime() - started) / done;
        return minutes(per * (total - done));
    }

    private static String minutes(long nanos) {
        long s = TimeUnit.NANOSECONDS.toSeconds(nanos);
        return String.format("%d min %02d s", s / 60, s % 60);
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
