package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.bench.json.BenchJson;
import dev.weft.bench.servers.Protocol;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The targets, judged on the medians of {@link TestRuns}: verdicts, ratios, "not measured". */
class ReportTargetsTest {

    private static final int ECHO_10K = 0;
    private static final int P99_10K = 1;
    private static final int ECHO_1K = 2;
    private static final int ECHO_100_JMH = 3;
    private static final int HTTP_10K = 4;
    private static final int HTTP_CLEAN = 5;
    private static final int RSS_10K = 6;
    private static final int REVERSE_PROXY = 7;
    private static final int FORWARD_PROXY = 8;
    private static final int TUNNEL = 9;
    private static final int TCP_PROXY = 10;
    private static final int TCP_LATENCY = 11;

    @Test
    void everyTargetIsJudgedOnMediansWithItsRatio() {
        List<Targets.Verdict> v = Targets.judge(Summary.of(TestRuns.full()), TestRuns.jmh());
        assertEquals(12, v.size());
        assertEquals("not measured", v.get(REVERSE_PROXY).verdict()); // no reverse-proxy runs
        assertEquals("not measured", v.get(FORWARD_PROXY).verdict()); // nor forward-proxy ones
        assertEquals("not measured", v.get(TUNNEL).verdict());
        assertEquals("not measured", v.get(TCP_PROXY).verdict()); // nor TCP-proxy ones
        assertEquals("not measured", v.get(TCP_LATENCY).verdict());

        assertVerdict(v.get(ECHO_10K), "60,000 msgs/s", "64,000 msgs/s", 60_000 / 64_000.0, "not met");
        assertVerdict(v.get(P99_10K), "25.0 ms", "40.0 ms", 25 / 40.0, "met"); // lower is better
        assertVerdict(v.get(ECHO_1K), "100,000 msgs/s", "85,000 msgs/s", 100 / 85.0, "met");
        assertVerdict(v.get(ECHO_100_JMH), "200,000 msgs/s", "250,000 msgs/s", 0.8, "not met"); // ops/s × 100
        assertVerdict(v.get(HTTP_10K), "42,000 req/s", "41,000 req/s", 42 / 41.0, "met");
        assertVerdict(v.get(RSS_10K), "3.10 KiB", "2.10 KiB", 3.1 / 2.1, "not met");

        Targets.Verdict clean = v.get(HTTP_CLEAN);
        assertEquals("met", clean.verdict());
        assertEquals("0 timeouts + errors", clean.weft());
        assertEquals("7", clean.reference()); // netty-http's wrk timeouts are shown, not judged
        assertTrue(Double.isNaN(clean.ratio()));
    }

    @Test
    void theTargetsNameWhatTheyCompare() {
        List<String> names = Targets.judge(List.of(), List.of()).stream().map(Targets.Verdict::target).toList();
        assertTrue(names.get(ECHO_10K).contains("10,000 conns") && names.get(ECHO_10K).contains("msgs/s"),
                names.get(0));
        assertTrue(names.get(P99_10K).contains("p99"), names.get(1));
        assertTrue(names.get(ECHO_1K).contains("1,000 conns"), names.get(2));
        assertTrue(names.get(ECHO_100_JMH).contains("100 conns (JMH)"), names.get(3));
        assertTrue(names.get(HTTP_10K).contains("HTTP hello req/s"), names.get(4));
        assertTrue(names.get(HTTP_CLEAN).contains("0 timeouts, 0 errors"), names.get(5));
        assertTrue(names.get(RSS_10K).contains("RSS"), names.get(6));
        assertTrue(names.get(REVERSE_PROXY).contains("reverse proxy req/s, 100 and 1,000 conns")
                && names.get(REVERSE_PROXY).contains("nginx and HAProxy")
                && names.get(REVERSE_PROXY).contains("p99 ≤ HAProxy's"), names.get(7));
        assertTrue(names.get(FORWARD_PROXY).contains("forward proxy req/s, 100 and 1,000 conns")
                && names.get(FORWARD_PROXY).contains("≥ 2× the better of Squid and tinyproxy")
                && names.get(FORWARD_PROXY).contains("0 timeouts"), names.get(8));
        assertTrue(names.get(TUNNEL).contains("CONNECT tunnel") && names.get(TUNNEL).contains("≥ 0.9× direct"),
                names.get(9));
        assertEquals("TCP proxy msgs/s at 1 / 100 / 1,000 conns: ≥ 1.0× HAProxy `mode tcp`", names.get(TCP_PROXY));
        assertTrue(names.get(TCP_LATENCY).contains("latency added at 1 conn")
                && names.get(TCP_LATENCY).contains("direct's p50") && names.get(TCP_LATENCY).endsWith("≤ HAProxy's"),
                names.get(TCP_LATENCY));
    }

    @Test
    void aQuickRunAtFiftyConnectionsMeasuresNoTarget() {
        Scenario quick = new Scenario(Protocol.ECHO, Scenario.Tool.WEFT_CLIENT, 50, 0, TestRuns.ECHO);
        Scenario quickHttp = new Scenario(Protocol.HTTP, Scenario.Tool.WEFT_CLIENT, 50, 0, TestRuns.HTTP);
        List<Measurement> runs = List.of(TestRuns.run(quick, "weft", 1, 5_000, 1_000),
                TestRuns.run(quick, "netty", 1, 5_000, 1_000), TestRuns.run(quickHttp, "weft-http", 1, 4_000, 900),
                TestRuns.run(quickHttp, "netty-http", 1, 4_000, 900));
        for (Targets.Verdict v : Targets.judge(Summary.of(runs), List.of())) {
            assertEquals("not measured", v.verdict(), v.target());
            assertEquals("", v.weft(), v.target());
            assertTrue(Double.isNaN(v.ratio()), v.target());
        }
    }

    @Test
    void withoutNettyAtTenThousandItsComparisonsAreNotMeasuredButTheOthersStand() {
        List<Measurement> runs = new ArrayList<>(TestRuns.full());
        runs.removeIf(m -> m.server().equals("netty") && m.scenario().connections() == 10_000);
        List<Targets.Verdict> v = Targets.judge(Summary.of(runs), List.of());
        assertEquals("not measured", v.get(ECHO_10K).verdict());
        assertEquals("not measured", v.get(P99_10K).verdict());
        assertEquals("not measured", v.get(RSS_10K).verdict());
        assertEquals("not measured", v.get(ECHO_100_JMH).verdict()); // no JMH rows
        assertEquals("met", v.get(ECHO_1K).verdict());
        assertEquals("met", v.get(HTTP_10K).verdict());
    }

    @Test
    void memoryIsNotMeasuredWhenTheRunDidNotSampleIt() {
        List<Measurement> runs = TestRuns.full().stream()
                .map(m -> TestRuns.withMemory(m, Double.NaN, Double.NaN)).toList();
        assertEquals("not measured", Targets.judge(Summary.of(runs), List.of()).get(RSS_10K).verdict());
    }

    @Test
    void aTimeoutOrAFailedRunOfWeftHttpAtTenThousandIsNotMet() {
        List<Measurement> runs = new ArrayList<>(TestRuns.full());
        runs.add(TestRuns.run(TestRuns.HTTP_10K, "weft-http", 4, 40_000, 100_000, 0, 2));
        Targets.Verdict v = Targets.judge(Summary.of(runs), List.of()).get(HTTP_CLEAN);
        assertEquals("not met", v.verdict());
        assertEquals("2 timeouts + errors", v.weft());

        List<Measurement> failed = new ArrayList<>(TestRuns.full());
        failed.add(TestRuns.failed(TestRuns.WRK_10K, "weft-http", 4)); // 10,000 connect errors
        assertEquals("10,000 timeouts + errors", Targets.judge(Summary.of(failed), List.of()).get(HTTP_CLEAN).weft());
    }

    @Test
    void theJmhTargetReadsTheHundredConnectionRowsInAnyParamOrderAndAnyUnit() {
        List<JmhRow> jmh = List.of(
                new JmhRow("EchoRoundTripBenchmark.roundTrip", "connections=100 server=netty", 2, 0.1, "ops/ms",
                        Double.NaN),
                new JmhRow("EchoRoundTripBenchmark.roundTrip", "connections=1 server=weft", 99, 0.1, "ops/ms",
                        Double.NaN),
                new JmhRow("EchoRoundTripBenchmark.roundTrip", "connections=100 server=weft", 400, 1, "us/op",
                        Double.NaN));
        Targets.Verdict v = Targets.judge(List.of(), jmh).get(ECHO_100_JMH);
        // weft: 1 op per 400 µs = 2,500 ops/s; netty: 2 ops/ms = 2,000 ops/s; × 100 messages per op
        assertVerdict(v, "250,000 msgs/s", "200,000 msgs/s", 1.25, "met");
    }

    @Test
    void jmhScoresConvertToOperationsPerSecond() {
        assertEquals(2_000, Targets.opsPerSecond(row(2_000, "ops/s")), 1e-9);
        assertEquals(2_000, Targets.opsPerSecond(row(2, "ops/ms")), 1e-9);
        assertEquals(2_000, Targets.opsPerSecond(row(500, "us/op")), 1e-9);
        assertEquals(2_000, Targets.opsPerSecond(row(500_000, "ns/op")), 1e-9);
        assertEquals(2_000, Targets.opsPerSecond(row(0.5, "ms/op")), 1e-9);
        assertTrue(Double.isNaN(Targets.opsPerSecond(row(1, "B/op"))));
        assertTrue(Double.isNaN(Targets.opsPerSecond(row(1, "furlongs"))));
    }

    @Test
    void aRatioNeedsTwoFiniteFiguresAndANonZeroReference() {
        assertEquals("not measured", Targets.ratio("t", 1, 0, "%.0f", true).verdict());
        assertEquals("not measured", Targets.ratio("t", Double.NaN, 1, "%.0f", true).verdict());
        assertEquals("met", Targets.ratio("t", 1, 1, "%.0f", true).verdict()); // exactly 1.0× is met
        assertEquals("met", Targets.ratio("t", 1, 1, "%.0f", false).verdict());
        assertEquals("not met", Targets.ratio("t", 1.01, 1, "%.2f", false).verdict());
    }

    @Test
    void verdictsGoToJsonWithRoundedRatiosAndNullForNone() {
        List<Targets.Verdict> v = Targets.judge(Summary.of(TestRuns.full()), TestRuns.jmh());
        assertEquals(60_000 / 64_000.0, v.get(ECHO_10K).ratio(), 1e-12); // the report's table keeps every digit
        JsonNode echo = BenchJson.tree(BenchJson.compact(v.get(ECHO_10K).rounded()));
        assertEquals(0.938, echo.get("ratio").doubleValue());
        assertEquals("not met", echo.get("verdict").textValue());
        assertEquals(List.of("target", "weft", "reference", "ratio", "verdict"), names(echo));
        assertTrue(BenchJson.tree(BenchJson.compact(v.get(HTTP_CLEAN).rounded())).get("ratio").isNull());
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JmhRow row(double score, String unit) {
        return new JmhRow("X.x", "", score, Double.NaN, unit, Double.NaN);
    }

    private static void assertVerdict(Targets.Verdict v, String weft, String reference, double ratio,
            String verdict) {
        assertEquals(weft, v.weft(), v.target());
        assertEquals(reference, v.reference(), v.target());
        assertEquals(ratio, v.ratio(), 1e-9, v.target());
        assertEquals(verdict, v.verdict(), v.target());
    }
}
