package dev.weft.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.bench.json.BenchJson;
import dev.weft.bench.servers.Protocol;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A run's results: every measurement, their medians, the targets' verdicts and the JMH rows, as
 * JSON ({@link #saved()}, read back by {@link #read(String)}), as Markdown tables
 * ({@link #markdown(String)}) and as charts ({@link #chartSvg(Protocol)}). Immutable once built;
 * numbers are formatted in {@link Locale#ROOT} (digits grouped with commas) whatever the machine's
 * locale.
 */
final class Report {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final RunInfo info;
    private final List<Measurement> runs;
    private final List<Summary> summaries;
    private final List<JmhRow> jmh;
    private final List<Targets.Verdict> verdicts;

    Report(RunInfo info, List<Measurement> runs, List<JmhRow> jmh) {
        this.info = info;
        this.runs = List.copyOf(runs);
        this.summaries = Summary.of(runs);
        this.jmh = List.copyOf(jmh);
        this.verdicts = Targets.judge(summaries, jmh);
    }

    List<Measurement> measurements() {
        return runs;
    }

    List<Summary> summaries() {
        return summaries;
    }

    List<JmhRow> jmh() {
        return jmh;
    }

    List<Targets.Verdict> verdicts() {
        return verdicts;
    }

    /** What {@code results.json} holds: write it with {@link BenchJson#pretty}. */
    Saved saved() {
        return new Saved(info.saved(), verdicts.stream().map(Targets.Verdict::rounded).toList(),
                summaries.stream().map(Summary::saved).toList(), jmh,
                runs.stream().map(Measurement::saved).toList());
    }

    /**
     * Reads a {@code results.json} back: the run, the JMH rows and the measurements; the targets and
     * summaries are worked out again from them. Throws {@link IllegalArgumentException} for JSON
     * that is malformed or lacks a field.
     */
    static Report read(String json) {
        JsonNode saved = BenchJson.tree(json);
        List<Measurement> runs = BenchJson.listOf(field(saved, "measurements"), Measurement.Saved.class).stream()
                .map(Measurement.Saved::measurement).toList();
        return new Report(RunInfo.read(field(saved, "run")), runs, BenchJson.listOf(field(saved, "jmh"), JmhRow.class));
    }

    private static JsonNode field(JsonNode saved, String name) {
        JsonNode value = saved.get(name);
        if (value == null) {
            throw new IllegalArgumentException("bad results.json: no \"" + name + "\"");
        }
        return value;
    }

    /**
     * The JSON form of a report, the layout of {@code results.json}.
     *
     * @param run          what the run was and where it ran
     * @param targets      the targets' verdicts
     * @param summaries    medians and ranges per scenario and server
     * @param jmh          the JMH rows
     * @param measurements every run of every scenario, server and repetition
     */
    record Saved(RunInfo.Saved run, List<Targets.Verdict> targets, List<Summary.Saved> summaries, List<JmhRow> jmh,
            List<Measurement.Saved> measurements) {
    }

    /** {@code v} to three decimals, as {@code results.json} keeps figures; NaN and infinities unchanged. */
    static double round3(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : v;
    }

    /** The report with the charts linked as {@code echo.svg} and {@code http.svg} beside it. */
    String markdown() {
        return markdown("");
    }

    String chartSvg(Protocol protocol) {
        return SvgChart.render(protocol, summaries, DATE.format(info.start()) + ", median of "
                + info.repetitions() + (info.repetitions() == 1 ? " run" : " runs"));
    }

    /** The whole report; the charts are linked as {@code imagePrefix + "echo.svg"} and {@code "http.svg"}. */
    String markdown(String imagePrefix) {
        StringBuilder md = new StringBuilder();
        md.append(header());
        md.append("\n### Targets (Weft against Netty, its reverse proxy against nginx and HAProxy, its forward proxy"
                + " against Squid and tinyproxy, its TCP proxy against HAProxy `mode tcp`; same run)\n\n");
        table(md, List.of("target", "Weft", "Netty", "ratio", "verdict"), verdicts.stream().map(v -> List.of(
                v.target(), v.weft(), v.reference(), Double.isFinite(v.ratio()) ? fmt("%.2f×", v.ratio()) : "",
                "**" + v.verdict() + "**")).toList());
        for (Protocol p : Protocol.values()) {
            if (!p.proxied()) { // the proxies' tables are ProxyTables'
                closedLoop(md, p, imagePrefix);
                openLoop(md, p);
            }
        }
        wrk(md);
        ProxyTables.reverse(md, summaries);
        ProxyTables.forward(md, summaries);
        ProxyTables.tcp(md, summaries);
        memory(md);
        cpu(md);
        jmhTable(md);
        return md.toString();
    }

    private String header() {
        String reps = "n = " + info.repetitions() + (info.repetitions() == 1 ? " repetition" : " repetitions");
        long s = info.took().toSeconds();
        return fmt("`%s` — %s; %s; %s; every JVM (servers, load clients, JMH forks) with `%s`; Weft on"
                + " `Transport.%s` (echo handler `EchoServer.%s`), Netty on its native epoll transport;%s"
                + " took %d min %02d s."
                + " %s (servers alternating within each, in an order rotated per repetition), median (min–max)."
                + " Loopback only: the load client shares the cores with the server, so ratios matter more than"
                + " absolutes.%s%n",
                info.command(), DATE.format(info.start()), info.machine(), info.jdk(), String.join(" ", info.jvmFlags()),
                info.weftTransport(), info.weftEcho(), ProxyTables.settings(summaries, info), s / 60, s % 60, reps,
                info.quick() ? " **Quick run: proves the benchmarks work; do not quote these numbers.**" : "");
    }

    private void closedLoop(StringBuilder md, Protocol p, String imagePrefix) {
        List<Summary> closed = of(p, Scenario.Tool.WEFT_CLIENT, true);
        if (closed.isEmpty()) {
            return;
        }
        String unit = p == Protocol.ECHO ? "msgs/s" : "req/s";
        String what = p == Protocol.ECHO ? "Echo, 64-byte messages" : "HTTP `GET /hello`, keep-alive";
        md.append(fmt("%n### %s, closed loop (Weft's load client in its own JVM; %s and p99)%n%n", what, unit));
        List<String> servers = servers(closed);
        List<String> head = new ArrayList<>(List.of("connections"));
        servers.forEach(s -> head.add(s + " " + unit));
        servers.forEach(s -> head.add(s + " p99"));
        List<List<String>> rows = new ArrayList<>();
        for (int c : connections(closed)) {
            List<String> row = new ArrayList<>(List.of(fmt("%,d", c)));
            for (String s : servers) {
                row.add(find(closed, c, s).map(x -> range(x.msgsPerSec(), "%,.0f") + errors(x)).orElse(""));
            }
            for (String s : servers) {
                row.add(find(closed, c, s).map(x -> ms(x.p99Us())).orElse(""));
            }
            rows.add(row);
        }
        table(md, head, rows);
        md.append(fmt("%n![%s: %s and p99 against connections](%s%s.svg)%n", what, unit, imagePrefix,
                p.name().toLowerCase(Locale.ROOT)));
    }

    private void openLoop(StringBuilder md, Protocol p) {
        List<Summary> open = of(p, Scenario.Tool.WEFT_CLIENT, false);
        if (open.isEmpty()) {
            return;
        }
        String unit = p == Protocol.ECHO ? "msgs/s" : "req/s";
        md.append(fmt("%n### %s, open loop (a fixed %s offered; latency from each message's scheduled send"
                + " time, so stalls cannot hide)%n%n", p == Protocol.ECHO ? "Echo" : "HTTP", unit));
        table(md, List.of("server", "connections", "offered/s", "achieved/s", "p50", "p99", "p99.9",
                "errors + timeouts"), open.stream()
                .map(x -> List.of(x.server(), fmt("%,d", x.scenario().connections()), fmt("%,d", x.scenario().rate()),
                        range(x.msgsPerSec(), "%,.0f"), ms(x.p50Us()), ms(x.p99Us()), ms(x.p999Us()),
                        fmt("%,d", x.errors() + x.timeouts() + x.connectErrors())))
                .toList());
    }

    private void wrk(StringBuilder md) {
        List<Summary> wrk = summaries.stream()
                .filter(s -> s.scenario().tool() == Scenario.Tool.WRK && s.scenario().protocol() == Protocol.HTTP)
                .toList();
        if (wrk.isEmpty()) {
            return;
        }
        md.append("\n### HTTP with wrk (`wrk -t2 -cN --latency --timeout 2s`; these numbers come from wrk itself,"
                + " which reports no p99.9)\n\n");
        table(md, List.of("server", "connections", "req/s", "p50", "p99", "socket errors", "timeouts"), wrk.stream()
                .map(x -> List.of(x.server(), fmt("%,d", x.scenario().connections()), range(x.msgsPerSec(), "%,.0f"),
                        ms(x.p50Us()), ms(x.p99Us()), fmt("%,d", x.errors() + x.connectErrors()),
                        fmt("%,d", x.timeouts())))
                .toList());
    }

    private void memory(StringBuilder md) {
        List<Summary> closed = summaries.stream()
                .filter(s -> s.scenario().tool() == Scenario.Tool.WEFT_CLIENT && s.scenario().rate() == 0
                        && s.rssPerConnKiB().measured())
                .toList();
        if (closed.isEmpty()) {
            return;
        }
        md.append("\n### Server memory per idle connection (RSS / live heap, KiB; after the same warm-up for"
                + " every server, all connections open and idle)\n\n");
        pivot(md, closed, x -> median(x.rssPerConnKiB(), "%.2f") + " / " + median(x.heapPerConnKiB(), "%.2f"));
    }

    private void cpu(StringBuilder md) {
        List<Summary> all = summaries.stream()
                .filter(s -> s.cpuPerMsgUs().measured() && !s.scenario().protocol().proxied()).toList();
        if (all.isEmpty()) {
            return;
        }
        md.append("\n### Where the time goes: server CPU µs per message / server context switches per message\n\n"
                + "From `/proc/PID/stat` and `/proc/PID/task/*/status` during the measured phase. Context"
                + " switches count how often the server's threads went to sleep and were woken.\n\n");
        pivot(md, all, x -> median(x.cpuPerMsgUs(), "%.1f") + " / " + median(x.switchesPerMsg(), "%.2f"));
    }

    /** One table per protocol (its own servers as columns), a row per scenario. */
    private void pivot(StringBuilder md, List<Summary> list, Function<Summary, String> cell) {
        String sep = "";
        for (Protocol p : Protocol.values()) {
            List<Summary> mine = list.stream().filter(s -> s.scenario().protocol() == p).toList();
            if (!mine.isEmpty()) {
                md.append(sep);
                pivotTable(md, mine, cell);
                sep = "\n";
            }
        }
    }

    private void pivotTable(StringBuilder md, List<Summary> list, Function<Summary, String> cell) {
        List<String> servers = servers(list);
        List<String> head = new ArrayList<>(List.of("scenario"));
        head.addAll(servers);
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (Summary s : list) {
            List<String> row = rows.computeIfAbsent(s.scenario().name(), k -> {
                List<String> r = new ArrayList<>(List.of(k));
                servers.forEach(x -> r.add(""));
                return r;
            });
            row.set(1 + servers.indexOf(s.server()), cell.apply(s));
        }
        table(md, head, List.copyOf(rows.values()));
    }

    private void jmhTable(StringBuilder md) {
        if (jmh.isEmpty()) {
            return;
        }
        md.append("\n### JMH (in-process client on platform threads; an echo op is one message on each"
                + " connection)\n\n");
        table(md, List.of("benchmark", "params", "score", "unit", "alloc B/op"), jmh.stream().map(r -> List.of(
                r.benchmark(), r.params(),
                Double.isFinite(r.error()) ? fmt("%,.2f ± %,.2f", r.score(), r.error()) : fmt("%,.2f", r.score()),
                r.unit(), Double.isFinite(r.allocBytesPerOp()) ? fmt("%,.0f", r.allocBytesPerOp()) : ""))
                .toList());
    }

    private List<Summary> of(Protocol p, Scenario.Tool tool, boolean closed) {
        return summaries.stream()
                .filter(s -> s.scenario().protocol() == p && s.scenario().tool() == tool
                        && (s.scenario().rate() == 0) == closed)
                .toList();
    }

    static List<String> servers(List<Summary> list) {
        return list.stream().map(Summary::server).distinct().toList();
    }

    static List<Integer> connections(List<Summary> list) {
        return list.stream().map(s -> s.scenario().connections()).distinct().sorted().toList();
    }

    static java.util.Optional<Summary> find(List<Summary> list, int connections, String server) {
        return list.stream().filter(s -> s.scenario().connections() == connections && s.server().equals(server))
                .findFirst();
    }

    private static String errors(Summary s) {
        long bad = s.connectErrors() + s.errors() + s.timeouts();
        return bad == 0 ? "" : fmt(" (%,d failed)", bad);
    }

    /** {@code median (min–max)}, or the median alone for one repetition. */
    static String range(Stat s, String format) {
        if (!s.measured()) {
            return "—";
        }
        String median = fmt(format, s.median());
        return s.n() == 1 ? median : median + " (" + fmt(format, s.min()) + "–" + fmt(format, s.max()) + ")";
    }

    /** The median alone, or a dash when not measured. */
    static String median(Stat s, String format) {
        return s.measured() ? fmt(format, s.median()) : "—";
    }

    static String ms(Stat us) {
        if (!us.measured()) {
            return "—";
        }
        double ms = us.median() / 1e3;
        return fmt(ms < 10 ? "%.2f ms" : "%,.0f ms", ms);
    }

    /** {@link String#format} in {@link Locale#ROOT}: the same digits on every machine. */
    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    static void table(StringBuilder md, List<String> head, List<List<String>> rows) {
        md.append("| ").append(String.join(" | ", head)).append(" |\n");
        md.append("|").append("---|".repeat(head.size())).append('\n');
        for (List<String> row : rows) {
            md.append("| ").append(String.join(" | ", row.stream().map(c -> c.replace("|", "\\|")).toList()))
                    .append(" |\n");
        }
    }
}
