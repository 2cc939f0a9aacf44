package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.bench.json.BenchJson;
import dev.weft.bench.load.LoadResult;
import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** Medians, ranges, targets, tables and charts from known measurements. */
class ReportTest {

    private static final List<ServerKind> ECHO = List.of(ServerKind.WEFT, ServerKind.NETTY);
    private static final List<ServerKind> HTTP = List.of(ServerKind.WEFT_HTTP, ServerKind.NETTY_HTTP);

    @Test
    void medianAndRangeOverRepetitionsLeaveOutWhatWasNotMeasured() {
        assertEquals(new Stat(2, 1, 9, 3), Stat.of(9, 1, 2));
        assertEquals(new Stat(2.5, 1, 9, 4), Stat.of(9, 1, 2, 3));
        assertEquals(new Stat(5, 5, 5, 1), Stat.of(Double.NaN, 5));
        assertFalse(Stat.of(Double.NaN).measured());
    }

    @Test
    void targetsAreJudgedOnMediansWithTheirRatios() {
        Report report = report(runs(), List.of(
                new JmhRow("EchoRoundTripBenchmark.roundTrip", "connections=100 server=weft", 300, 5, "ops/s",
                        Double.NaN),
                new JmhRow("EchoRoundTripBenchmark.roundTrip", "connections=100 server=netty", 400, 5, "ops/s",
                        Double.NaN)));
        Map<String, Targets.Verdict> v = new java.util.HashMap<>();
        report.verdicts().forEach(x -> v.put(x.target(), x));
        Targets.Verdict echo10k = v.get("echo 64 B msgs/s, 10,000 conns: ≥ 1.0× Netty");
        assertEquals(1.1, echo10k.ratio(), 1e-9); // medians 55,000 / 50,000
        assertEquals("met", echo10k.verdict());
        assertEquals("not met", v.get("echo p99, 10,000 conns: ≤ Netty").verdict()); // 300 ms against 200 ms
        assertEquals(0.75, v.get("echo msgs/s, 100 conns (JMH): ≥ 1.0× Netty").ratio(), 1e-9);
        assertEquals("not met", v.get("HTTP, 10,000 conns: 0 timeouts, 0 errors (load client and wrk)").verdict());
        assertEquals("met", v.get("memory per idle conn, 10,000 conns: RSS ≤ Netty's").verdict());
        assertEquals("not measured", v.get("echo msgs/s, 1,000 conns: ≥ 1.0× Netty").verdict());
    }

    @Test
    void aQuickRunMeasuresNoTarget() {
        Report report = report(List.of(), List.of());
        assertTrue(report.verdicts().stream().allMatch(x -> x.verdict().equals("not measured")));
        assertTrue(report.markdown("").contains("not measured"));
    }

    @Test
    void markdownShowsMediansWithRangesAndLinksTheCharts() {
        String md = report(runs(), List.of()).markdown("benchmarks/results/");
        assertTrue(md.contains("| 10,000 | 55,000 (50,000–60,000) | 50,000 (49,000–51,000) | 300 ms | 200 ms |"), md);
        assertTrue(md.contains("(benchmarks/results/echo.svg)"), md);
        assertTrue(md.contains("| 10,000 | 30,000 (30,000–30,000) (3 failed) | 20,000 (20,000–20,000) |"), md);
        assertTrue(md.contains("| echo closed 10000 | 1.00 / 0.80 | 1.50 / 1.00 |"), md);
    }

    @Test
    void jsonCarriesEveryMeasurementAndReadsBack() {
        Report report = report(runs(), List.of());
        JsonNode back = BenchJson.tree(BenchJson.pretty(report.saved()));
        assertEquals(runs().size(), back.get("measurements").size());
        assertEquals(12, back.get("targets").size());
        assertEquals(runs().size(), Report.read(BenchJson.pretty(report.saved())).measurements().size());
    }

    @Test
    void aReportMadeAgainFromItsJsonIsTheSame() {
        List<JmhRow> jmh = List.of(new JmhRow("HttpParseBenchmark.parse", "", 400_000, 5_000, "ops/s", 2_100),
                new JmhRow("PoolBenchmark.borrow", "", 12.5, Double.NaN, "us/op", Double.NaN));
        Report report = report(runs(), jmh);
        Report again = Report.read(BenchJson.pretty(report.saved()));
        assertEquals(jmh, again.jmh()); // NaN (a single fork, no GC profiler) comes back as NaN
        assertEquals(report.markdown(""), again.markdown(""));
        assertEquals(report.chartSvg(Protocol.ECHO), again.chartSvg(Protocol.ECHO));
    }

    @Test
    void chartsAreWellFormedSvgWithALinePerServer() throws Exception {
        Report report = report(runs(), List.of());
        for (Protocol p : SvgChart.CHARTED) {
            String svg = report.chartSvg(p);
            assertFalse(svg.contains("NaN") || svg.contains("Infinity"), svg);
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
            int lines = doc.getElementsByTagName("polyline").getLength();
            assertEquals(2 * 2, lines, p + ": two panels, two servers"); // one point each still draws a polyline
            assertTrue(svg.contains(p == Protocol.ECHO ? ">netty<" : ">netty-http<"), svg);
        }
    }

    @Test
    void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(20_000, SvgChart.niceStep(12_000), 1e-9);
        assertEquals(50, SvgChart.niceStep(31), 1e-9);
        assertEquals(0.1, SvgChart.niceStep(0.1), 1e-12);
        assertEquals(1, SvgChart.niceStep(0), 1e-9);
    }

    private static Report report(List<Measurement> runs, List<JmhRow> jmh) {
        RunInfo info = new RunInfo("./weft bench", Instant.parse("2026-11-25T03:00:00Z"), Duration.ofMinutes(25),
                "JDK", List.of("-XX:+UseSerialGC"), "2 cores", false, 3, "EPOLL", "echoPerMessage");
        return new Report(info, runs, jmh);
    }

    /** Three repetitions: echo at 10,000 (weft faster, netty lower p99), HTTP at 10,000 with 3 timeouts. */
    private static List<Measurement> runs() {
        Scenario echo = new Scenario(Protocol.ECHO, Scenario.Tool.WEFT_CLIENT, 10_000, 0, ECHO);
        Scenario http = new Scenario(Protocol.HTTP, Scenario.Tool.WEFT_CLIENT, 10_000, 0, HTTP);
        List<Measurement> all = new ArrayList<>();
        double[][] weft = {{50_000, 60_000, 55_000}};
        double[][] netty = {{49_000, 51_000, 50_000}};
        for (int rep = 0; rep < 3; rep++) {
            all.add(run(echo, "weft", rep, weft[0][rep], 300_000, 0, 1.0, 0.8));
            all.add(run(echo, "netty", rep, netty[0][rep], 200_000, 0, 1.5, 1.0));
            all.add(run(http, "weft-http", rep, 30_000, 100_000, rep == 1 ? 3 : 0, 2.0, 1.5));
            all.add(run(http, "netty-http", rep, 20_000, 150_000, 0, 2.5, 1.2));
        }
        return all;
    }

    private static Measurement run(Scenario s, String server, int rep, double rate, double p99Us, long timeouts,
            double rss, double heap) {
        LoadResult r = new LoadResult(s.protocol().name().toLowerCase(), 0, s.connections(), 0, 0, timeouts,
                (long) (rate * 8), 8, rate, p99Us / 2, p99Us, p99Us * 2, p99Us * 3, "");
        return new Measurement(s, server, rep + 1, r, rss, heap, 20, 0.5);
    }
}
