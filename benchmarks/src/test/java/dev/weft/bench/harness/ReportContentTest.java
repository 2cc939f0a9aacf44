package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.bench.json.BenchJson;
import dev.weft.bench.load.LoadResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Summaries, Markdown tables and JSON of a report built from {@link TestRuns}. */
class ReportContentTest {

    @Test
    void summariesHoldMediansAndRangesPerScenarioAndServer() {
        List<Summary> all = Summary.of(TestRuns.full());
        assertEquals(10, all.size()); // 5 scenarios × 2 servers
        Summary weft10k = find(all, "echo closed 10000", "weft");
        assertEquals(new Stat(60_000, 50_000, 70_000, 3), weft10k.msgsPerSec());
        assertEquals(new Stat(25_000, 20_000, 30_000, 3), weft10k.p99Us());
        assertEquals(new Stat(5_000, 4_000, 6_000, 3), weft10k.p50Us());
        assertEquals(new Stat(100_000, 80_000, 120_000, 3), weft10k.p999Us());
        assertEquals(3.1, weft10k.rssPerConnKiB().median(), 1e-9);
        assertEquals(3.0, weft10k.rssPerConnKiB().min(), 1e-9);
        assertEquals(3.2, weft10k.rssPerConnKiB().max(), 1e-9);
        assertEquals(new Stat(10, 10, 10, 3), weft10k.cpuPerMsgUs());
        assertEquals(new Stat(0.5, 0.5, 0.5, 3), weft10k.switchesPerMsg());

        Summary netty1k = find(all, "echo closed 1000", "netty");
        assertEquals(new Stat(85_000, 80_000, 95_000, 3), netty1k.msgsPerSec()); // sorted, not the middle rep
        assertFalse(find(all, "echo closed 10000", "netty").heapPerConnKiB().measured());
        assertFalse(find(all, "http wrk 10000", "weft-http").p999Us().measured()); // wrk has no p99.9
        assertEquals(7, find(all, "http wrk 10000", "netty-http").timeouts());
    }

    @Test
    void aFailedRepetitionLeavesItsFiguresOutButCountsItsFailures() {
        List<Measurement> runs = new ArrayList<>(TestRuns.full());
        runs.removeIf(m -> m.scenario().equals(TestRuns.ECHO_1K) && m.server().equals("weft")
                && m.repetition() == 2);
        runs.add(TestRuns.failed(TestRuns.ECHO_1K, "weft", 2));
        Summary weft1k = find(Summary.of(runs), "echo closed 1000", "weft");
        // two values left, 90,000 and 110,000: an even count's median is the mean of the middle two
        assertEquals(new Stat(100_000, 90_000, 110_000, 2), weft1k.msgsPerSec());
        assertEquals(1_000, weft1k.connectErrors());
        assertEquals(0, weft1k.errors() + weft1k.timeouts());
    }

    @Test
    void theHeaderNamesTheRunAndHowToReadTheFigures() {
        String md = TestRuns.report(TestRuns.full(), TestRuns.jmh()).markdown();
        String header = md.lines().findFirst().orElseThrow();
        assertTrue(header.startsWith("`./weft bench --reps 3` — 2026-11-25 03:00 UTC; 2 cores (Test CPU), 8.0 GiB,"
                + " Linux 6.1.0; OpenJDK 64-Bit Server VM 21.0.5+11; every JVM"), header);
        assertTrue(header.contains("`-XX:+UseSerialGC -Xmx2g`"), header);
        assertTrue(header.contains("Weft on `Transport.EPOLL` (echo handler `EchoServer.echoPerMessage`), Netty on its native epoll transport"), header);
        assertTrue(header.contains("took 25 min 07 s"), header);
        assertTrue(header.contains("n = 3 repetitions (servers alternating within each, in an order rotated per repetition), median (min–max)"), header);
        assertFalse(header.contains("Quick run"), header);
        assertTrue(new Report(TestRuns.info(1, true), List.of(), List.of()).markdown()
                .contains("n = 1 repetition (servers alternating within each, in an order rotated per repetition), median (min–max). Loopback only"));
    }

    @Test
    void markdownHasATableForEachKindOfScenario() {
        String md = TestRuns.report(TestRuns.full(), TestRuns.jmh()).markdown("results/");
        // targets
        assertContains(md, "| target | Weft | Netty | ratio | verdict |");
        assertContains(md, "| echo 64 B msgs/s, 10,000 conns: ≥ 1.0× Netty | 60,000 msgs/s | 64,000 msgs/s"
                + " | 0.94× | **not met** |");
        assertContains(md, "| echo msgs/s, 100 conns (JMH): ≥ 1.0× Netty | 200,000 msgs/s | 250,000 msgs/s"
                + " | 0.80× | **not met** |");
        // closed loop: rows are connection counts, columns msgs/s then p99 per server
        assertContains(md, "| connections | weft msgs/s | netty msgs/s | weft p99 | netty p99 |");
        assertContains(md, "| 1,000 | 100,000 (90,000–110,000) | 85,000 (80,000–95,000) | 6.00 ms | 9.00 ms |");
        assertContains(md, "| 10,000 | 60,000 (50,000–70,000) | 64,000 (62,000–66,000) | 25 ms | 40 ms |");
        assertContains(md, "| connections | weft-http req/s | netty-http req/s | weft-http p99 | netty-http p99 |");
        assertContains(md, "| 10,000 | 42,000 (40,000–44,000) | 41,000 (40,000–45,000) | 100 ms | 90 ms |");
        assertContains(md, "(results/echo.svg)");
        assertContains(md, "(results/http.svg)");
        // open loop: rows are servers
        assertContains(md, "| server | connections | offered/s | achieved/s | p50 | p99 | p99.9 | errors + timeouts |");
        assertContains(md, "| weft | 10,000 | 20,000 | 19,995 (19,990–20,000) | 1.00 ms | 5.00 ms | 20 ms | 0 |");
        assertContains(md, "| netty | 10,000 | 20,000 | 19,985 (19,980–19,990) | 1.80 ms | 9.00 ms | 36 ms | 0 |");
        // wrk, said to be wrk's figures
        assertContains(md, "these numbers come from wrk itself");
        assertContains(md, "| weft-http | 10,000 | 51,000 (50,000–52,000) | 16 ms | 80 ms | 0 | 0 |");
        assertContains(md, "| netty-http | 10,000 | 48,000 (47,000–49,000) | 14 ms | 70 ms | 0 | 7 |");
        // memory per idle connection: only where sampled, a dash where heap was not
        assertContains(md, "| scenario | weft | netty |");
        assertContains(md, "| echo closed 10000 | 3.10 / 1.50 | 2.10 / — |");
        assertFalse(md.contains("| echo closed 1000 | —"), md);
        // CPU and context switches per message, every scenario
        assertContains(md, "| echo open 10000 @20000/s | 10.0 / 0.50 | 8.0 / 0.25 |");
        assertContains(md, "| http wrk 10000 | 10.0 / 0.50 | 8.0 / 0.25 |");
        // JMH
        assertContains(md, "| benchmark | params | score | unit | alloc B/op |");
        assertContains(md, "| EchoRoundTripBenchmark.roundTrip | server=weft connections=100 | 2,000.00 ± 40.00"
                + " | ops/s |  |");
        assertContains(md, "| HttpParseBenchmark.parse |  | 1.23 | us/op | 312 |");
        assertFalse(md.contains("NaN"), md);
    }

    @Test
    void aFailedRunIsFlaggedInItsCell() {
        List<Measurement> runs = new ArrayList<>(TestRuns.full());
        runs.add(TestRuns.run(TestRuns.ECHO_10K, "weft", 4, 60_000, 25_000, 3, 2));
        assertContains(TestRuns.report(runs, List.of()).markdown(),
                "| 10,000 | 60,000 (50,000–70,000) (5 failed) | 64,000 (62,000–66,000) | 25 ms | 40 ms |");
    }

    @Test
    void aQuickRunShowsItsTargetsAsNotMeasuredAndSaysNotToQuoteIt() {
        String md = new Report(TestRuns.info(1, true), List.of(), List.of()).markdown();
        assertContains(md, "**Quick run: proves the benchmarks work; do not quote these numbers.**");
        assertEquals(12, md.split("\\*\\*not measured\\*\\*", -1).length - 1, md);
        assertFalse(md.contains("### Echo"), md); // no empty tables
    }

    @Test
    void numbersLookTheSameWhateverTheDefaultLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            String md = TestRuns.report(TestRuns.full(), TestRuns.jmh()).markdown();
            assertContains(md, "| 1,000 | 100,000 (90,000–110,000) |");
            assertContains(md, "| 3.10 / 1.50 |");
            assertContains(md, "| 60,000 msgs/s | 64,000 msgs/s | 0.94× |");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void jsonCarriesRunSummariesTargetsJmhAndEveryMeasurementAndReadsBackUnchanged() {
        Report report = TestRuns.report(TestRuns.full(), TestRuns.jmh());
        String json = BenchJson.pretty(report.saved());
        JsonNode back = BenchJson.tree(json);
        assertEquals(json, BenchJson.pretty(back)); // nothing lost or reshaped on the way

        assertEquals(List.of("run", "targets", "summaries", "jmh", "measurements"), names(back));
        JsonNode run = back.get("run");
        assertEquals(List.of("command", "start", "tookSeconds", "jdk", "jvmFlags", "machine", "quick", "repetitions",
                "weftTransport", "weftEcho"), names(run));
        assertEquals("./weft bench --reps 3", run.get("command").textValue());
        assertEquals("2026-11-25T03:00:00Z", run.get("start").textValue());
        assertEquals(3, run.get("repetitions").intValue());
        assertEquals(List.of("-XX:+UseSerialGC", "-Xmx2g"), BenchJson.listOf(run.get("jvmFlags"), String.class));
        assertEquals(30, back.get("measurements").size());
        assertEquals(4, back.get("jmh").size());

        JsonNode targets = back.get("targets");
        assertEquals(12, targets.size());
        assertEquals("not met", targets.get(0).get("verdict").textValue());
        assertEquals(0.938, targets.get(0).get("ratio").doubleValue());

        JsonNode weft10k = summary(back, "echo closed 10000", "weft");
        assertEquals(List.of("scenario", "server", "msgsPerSec", "p50Us", "p99Us", "p999Us", "rssPerConnKiB",
                "heapPerConnKiB", "cpuPerMsgUs", "switchesPerMsg", "connectErrors", "errors", "timeouts"),
                names(weft10k));
        JsonNode msgs = weft10k.get("msgsPerSec");
        assertEquals(List.of("median", "min", "max", "n"), names(msgs));
        assertEquals(60_000.0, msgs.get("median").doubleValue());
        assertEquals(50_000.0, msgs.get("min").doubleValue());
        assertEquals(70_000.0, msgs.get("max").doubleValue());
        assertEquals(3, msgs.get("n").intValue());
        assertTrue(summary(back, "echo closed 10000", "netty").get("heapPerConnKiB").get("median").isNull());
        assertFalse(json.contains("NaN"), json); // NaN becomes null

        JsonNode measurement = back.get("measurements").get(0);
        assertEquals(List.of("scenario", "protocol", "tool", "mode", "connections", "rate", "server", "repetition",
                "result", "rssPerConnKiB", "heapPerConnKiB", "serverCpuPerMsgUs", "serverSwitchesPerMsg"),
                names(measurement));
        assertEquals("echo closed 1000", measurement.get("scenario").textValue());
        assertEquals("weft-load-client", measurement.get("tool").textValue());
        assertEquals(List.of("benchmark", "params", "score", "error", "unit", "allocBytesPerOp"),
                names(back.get("jmh").get(0)));
    }

    @Test
    void figuresAreSavedToThreeDecimalsAndLoadResultsAsMeasured() {
        LoadResult r = new LoadResult("echo", 0, 10, 0, 0, 0, 3, 1.5, 2.0, 1.23456, 2.5, Double.NaN, 3.0, "");
        Measurement m = new Measurement(TestRuns.ECHO_1K, "weft", 1, r, 1.23456, Double.NaN, 9.8765, 0.0004);
        JsonNode saved = BenchJson.tree(BenchJson.compact(m.saved()));
        assertEquals(1.235, saved.get("rssPerConnKiB").doubleValue());
        assertTrue(saved.get("heapPerConnKiB").isNull());
        assertEquals(9.877, saved.get("serverCpuPerMsgUs").doubleValue());
        assertEquals(0.0, saved.get("serverSwitchesPerMsg").doubleValue());
        assertEquals(1.23456, saved.get("result").get("p50Us").doubleValue()); // the load tool's figures unrounded
        assertTrue(saved.get("result").get("p999Us").isNull());

        Measurement back = BenchJson.convert(saved, Measurement.Saved.class).measurement();
        assertEquals(r, back.result());
        assertEquals(1.235, back.rssPerConnKiB());
        assertTrue(Double.isNaN(back.heapPerConnKiB()));
        assertEquals(TestRuns.ECHO_1K.name(), back.scenario().name());
        assertEquals(Scenario.Tool.WEFT_CLIENT, back.scenario().tool());
    }

    @Test
    void aResultsFileWithoutAFieldIsRefusedByName() {
        Report report = TestRuns.report(TestRuns.full(), TestRuns.jmh());
        String json = BenchJson.pretty(report.saved());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Report.read(json.replaceFirst("\"repetition\": 1,", "")));
        assertTrue(e.getMessage().contains("'repetition'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Report.read(json.replace("\"jmh\":", "\"jmh2\":")));
        assertTrue(e.getMessage().contains("\"jmh\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Report.read(json.substring(0, json.length() / 2)));
    }

    @Test
    void runInfoDescribesThisMachine() {
        RunInfo info = RunInfo.current("./weft bench", java.time.Instant.EPOCH, java.time.Duration.ofSeconds(90),
                List.of("-Xmx1g"), true, 1);
        assertTrue(info.jdk().contains(System.getProperty("java.runtime.version")), info.jdk());
        assertTrue(info.machine().startsWith(Runtime.getRuntime().availableProcessors() + " cores ("),
                info.machine());
        assertTrue(info.machine().matches(".*\\d+\\.\\d GiB, .+"), info.machine());
        JsonNode saved = BenchJson.tree(BenchJson.compact(info.saved()));
        assertEquals(90, saved.get("tookSeconds").longValue());
        assertTrue(saved.get("quick").booleanValue());
        assertEquals("1970-01-01T00:00:00Z", saved.get("start").textValue());
        // Weft's bench servers run on its epoll transport wherever this JVM can (Linux, JDK 22+).
        assertEquals(Runtime.version().feature() >= 22 ? "EPOLL" : "JDK", saved.get("weftTransport").textValue());
        assertEquals("echoPerMessage", saved.get("weftEcho").textValue());
        assertEquals(info, RunInfo.read(saved));
        assertEquals("echoRaw", RunInfo.current("./weft bench", java.time.Instant.EPOCH, java.time.Duration.ofSeconds(1),
                List.of("-Xmx1g", "-Dweft.bench.echo=loop"), true, 1).weftEcho());
    }

    @Test
    void aRunSavedBeforeTheTransportAndEchoHandlerWereRecordedRanOnTheJdksAndThePlainLoop() {
        JsonNode old = BenchJson.tree("""
                {"command": "./weft bench", "start": "2026-11-01T10:00:00Z", "tookSeconds": 1590, "jdk": "JDK 25",
                 "jvmFlags": [], "machine": "2 cores", "quick": false, "repetitions": 3}""");
        RunInfo info = RunInfo.read(old);
        assertEquals("JDK", info.weftTransport());
        assertEquals("echoRaw", info.weftEcho());
        assertEquals(java.time.Duration.ofSeconds(1590), info.took());
        assertEquals(List.of(), info.jvmFlags());
        assertFalse(old.has("weftTransport")); // the tree read is left as it was
    }

    @Test
    void theCommittedResultsReadBackAndAreWrittenInTheSameShape() throws Exception {
        String committed = Files.readString(Path.of("results/results.json"), StandardCharsets.UTF_8);
        JsonNode file = BenchJson.tree(committed);
        JsonNode again = BenchJson.tree(BenchJson.pretty(Report.read(committed).saved()));
        assertEquals(file.get("measurements").size(), Report.read(committed).measurements().size());
        // What a report is made from comes back as it was; targets and summaries are worked out again.
        assertEquals(file.get("run"), again.get("run"));
        assertEquals(file.get("jmh"), again.get("jmh"));
        assertEquals(file.get("measurements"), again.get("measurements"));
        assertEquals(names(file), names(again));
        assertEquals(file.get("summaries").size(), again.get("summaries").size(), "summaries");
        // Targets added since the file was written come after its own ones (then "not measured").
        assertTrue(again.get("targets").size() >= file.get("targets").size(), "targets");
        for (int i = 0; i < file.get("targets").size(); i++) {
            assertEquals(file.get("targets").get(i).get("target"), again.get("targets").get(i).get("target"));
        }
        for (String derived : List.of("targets", "summaries")) {
            for (int i = 0; i < file.get(derived).size(); i++) {
                assertEquals(names(file.get(derived).get(i)), names(again.get(derived).get(i)), derived + " " + i);
            }
        }
    }

    private static JsonNode summary(JsonNode report, String scenario, String server) {
        for (JsonNode s : report.get("summaries")) {
            if (s.get("scenario").textValue().equals(scenario) && s.get("server").textValue().equals(server)) {
                return s;
            }
        }
        throw new AssertionError(scenario + " / " + server);
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Summary find(List<Summary> all, String scenario, String server) {
        return all.stream().filter(s -> s.scenario().name().equals(scenario) && s.server().equals(server))
                .findFirst().orElseThrow(() -> new AssertionError(scenario + " / " + server));
    }

    private static void assertContains(String md, String expected) {
        assertTrue(md.contains(expected), () -> "missing: " + expected + "\n\n" + md);
    }
}
