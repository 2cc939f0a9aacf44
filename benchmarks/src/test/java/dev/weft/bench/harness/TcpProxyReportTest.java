package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.bench.json.BenchJson;
import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The TCP-proxy scenario in the report: its table, its two targets, the header naming the proxies'
 * settings, its JSON. Three repetitions ({@link TestRuns#run}: p50 is a fifth of p99; CPU 10 µs and
 * 0.5 switches per message for Weft, 8 µs and 0.25 for the others):
 *
 * <pre>
 * connections  proxy           msgs/s per rep     p99 µs   p50 µs
 * 1            weft-tcp-proxy  20k, 22k, 21k      500      100
 *              haproxy-tcp     19k, 20k, 21k      550      110
 *              direct          42k, 42k, 42k      300       60
 * 100          weft-tcp-proxy  60k, 62k, 61k      5,000
 *              haproxy-tcp     55k, 58k, 60k      6,000
 *              direct          110k, 110k, 110k   3,000
 * 1,000        weft-tcp-proxy  50k, 52k, 48k      40,000
 *              haproxy-tcp     45k, 50k, 49k      45,000
 *              direct          100k, 100k, 100k   30,000
 * </pre>
 */
class TcpProxyReportTest {

    private static final List<ServerKind> PROXIES = List.of(ServerKind.WEFT_TCP_PROXY, ServerKind.HAPROXY_TCP,
            ServerKind.DIRECT);
    private static final Scenario T1 = scenario(1);
    private static final Scenario T100 = scenario(100);
    private static final Scenario T1K = scenario(1_000);
    private static final int TCP_PROXY = 10;
    private static final int TCP_LATENCY = 11;

    private static Scenario scenario(int connections) {
        return new Scenario(Protocol.TCP_PROXY, Scenario.Tool.WEFT_CLIENT, connections, 0, PROXIES);
    }

    static List<Measurement> runs() {
        List<Measurement> all = new ArrayList<>();
        double[][][] rates = {
            {{20_000, 22_000, 21_000}, {19_000, 20_000, 21_000}, {42_000, 42_000, 42_000}},
            {{60_000, 62_000, 61_000}, {55_000, 58_000, 60_000}, {110_000, 110_000, 110_000}},
            {{50_000, 52_000, 48_000}, {45_000, 50_000, 49_000}, {100_000, 100_000, 100_000}}};
        double[][] p99 = {{500, 550, 300}, {5_000, 6_000, 3_000}, {40_000, 45_000, 30_000}};
        List<Scenario> scenarios = List.of(T1, T100, T1K);
        for (int rep = 1; rep <= 3; rep++) {
            for (int s = 0; s < scenarios.size(); s++) {
                for (int k = 0; k < PROXIES.size(); k++) {
                    all.add(TestRuns.run(scenarios.get(s), PROXIES.get(k).label(), rep, rates[s][k][rep - 1],
                            p99[s][k]));
                }
            }
        }
        return all;
    }

    private static Report report(List<Measurement> runs) {
        RunInfo info = new RunInfo("./weft bench --no-jmh --servers weft-tcp-proxy,haproxy-tcp,direct",
                Instant.parse("2026-12-08T10:00:00Z"), Duration.ofMinutes(4), "OpenJDK 25", List.of("-Xmx2g"),
                "2 cores", false, 3, "EPOLL", "echoPerMessage", "HAProxy 2.6.12-1+deb12u4");
        return new Report(info, runs, List.of());
    }

    @Test
    void theTableHasARowPerConnectionCountAndProxyWithMicrosecondLatenciesCpuAndTheRatioToDirect() {
        String md = report(runs()).markdown();
        assertContains(md, "### TCP proxy: 64-byte echo through each proxy to one `netty` backend");
        assertContains(md, "| connections | proxy | msgs/s | vs direct | p50 | p99 | timeouts | errors (connect, reply)"
                + " | CPU µs/msg | context switches/msg |");
        assertContains(md, "| 1 | weft-tcp-proxy | 21,000 (20,000–22,000) | 0.50× | 100 µs | 500 µs | 0 | 0 | 10.0"
                + " | 0.50 |");
        assertContains(md, "| 1 | haproxy-tcp | 20,000 (19,000–21,000) | 0.48× | 110 µs | 550 µs | 0 | 0 | 8.0"
                + " | 0.25 |");
        assertContains(md, "| 1 | direct | 42,000 (42,000–42,000) | 1.00× | 60 µs | 300 µs | 0 | 0 | 8.0 | 0.25 |");
        assertContains(md, "| 1,000 | weft-tcp-proxy | 50,000 (48,000–52,000) | 0.50× | 8,000 µs | 40,000 µs |");
        // rows in the order the proxies ran, 1 before 100 before 1,000
        assertTrue(md.indexOf("| 1 | weft-tcp-proxy") < md.indexOf("| 1 | haproxy-tcp")
                && md.indexOf("| 1 | direct") < md.indexOf("| 100 | weft-tcp-proxy")
                && md.indexOf("| 100 | direct") < md.indexOf("| 1,000 | weft-tcp-proxy"), md);
        // Its figures are in its own table only: not an echo closed-loop table, no chart, no per-scenario CPU table.
        assertFalse(md.contains("### Echo"), md);
        assertFalse(md.contains(".svg"), md);
        assertFalse(md.contains("| tcp-proxy closed"), md);
        assertFalse(md.contains("Where the time goes"), md);
        assertFalse(md.contains("NaN"), md);
    }

    @Test
    void failuresAreAddedUpOverTheRepetitions() {
        List<Measurement> runs = new ArrayList<>(runs());
        runs.add(TestRuns.run(T100, "haproxy-tcp", 4, 58_000, 6_000, 3, 2));
        runs.add(TestRuns.failed(T100, "haproxy-tcp", 5)); // 100 connect errors, no figures
        String md = report(runs).markdown();
        assertContains(md, "| 100 | haproxy-tcp | 58,000 (55,000–60,000) | 0.53× | 1,200 µs | 6,000 µs | 2 | 103 |");
    }

    @Test
    void theHeaderNamesEachProxysSettingsOnlyWhenTheRunHasThem() {
        String header = report(runs()).markdown().lines().findFirst().orElseThrow();
        assertContains(header, "TCP proxy: Weft's `TcpProxy` (defaults) on the same transport, in its own JVM;"
                + " HAProxy 2.6.12-1+deb12u4 (`mode tcp`, `nbthread 2`, `maxconn 9000`)");
        assertContains(header, "one `netty` backend in a JVM of its own, started anew for each measurement;"
                + " `direct` is the backend alone;");
        assertFalse(header.contains("reverse proxy:") || header.contains("forward proxy:"), header);
        String without = TestRuns.report(TestRuns.full(), List.of()).markdown().lines().findFirst().orElseThrow();
        assertFalse(without.contains("TcpProxy"), without);
    }

    @Test
    void bothTargetsAreMetWhenWeftIsFasterAtEveryCountAndAddsLessLatencyThanHaproxy() {
        List<Targets.Verdict> v = verdicts(runs());
        Targets.Verdict rate = v.get(0);
        assertEquals("met", rate.verdict());
        assertEquals(50 / 49.0, rate.ratio(), 1e-9); // the lowest of 21/20, 61/58 and 50/49
        assertEquals("21,000 / 61,000 / 50,000 msgs/s", rate.weft());
        assertEquals("HAProxy 20,000 / 58,000 / 49,000 msgs/s", rate.reference());
        Targets.Verdict latency = v.get(1);
        assertEquals("met", latency.verdict());
        assertEquals(40 / 50.0, latency.ratio(), 1e-9); // 100 − 60 against 110 − 60
        assertEquals("40.0 µs added (p50 100.0 µs)", latency.weft());
        assertEquals("HAProxy 50.0 µs added (p50 110.0 µs), direct p50 60.0 µs", latency.reference());
        String md = report(runs()).markdown();
        assertContains(md, "| TCP proxy msgs/s at 1 / 100 / 1,000 conns: ≥ 1.0× HAProxy `mode tcp` | 21,000 / 61,000 /"
                + " 50,000 msgs/s | HAProxy 20,000 / 58,000 / 49,000 msgs/s | 1.02× | **met** |");
        assertContains(md, "| TCP proxy latency added at 1 conn (p50 − direct's p50): ≤ HAProxy's | 40.0 µs added (p50"
                + " 100.0 µs) | HAProxy 50.0 µs added (p50 110.0 µs), direct p50 60.0 µs | 0.80× | **met** |");
    }

    @Test
    void slowerThanHaproxyAtOneCountIsNotMetAndEqualIsMet() {
        Targets.Verdict slower = verdicts(replace(runs(), T1K, "weft-tcp-proxy", 48_000, 40_000)).get(0);
        assertEquals("not met", slower.verdict());
        assertEquals(48 / 49.0, slower.ratio(), 1e-9);
        Targets.Verdict equal = verdicts(replace(runs(), T1K, "weft-tcp-proxy", 49_000, 40_000)).get(0);
        assertEquals("met", equal.verdict());
        assertEquals(1.0, equal.ratio(), 1e-12);
    }

    @Test
    void moreLatencyAddedThanHaproxysIsNotMetAndAProxyFasterThanDirectLeavesNoRatio() {
        Targets.Verdict more = verdicts(replace(runs(), T1, "weft-tcp-proxy", 21_000, 600)).get(1); // p50 120 µs
        assertEquals("not met", more.verdict());
        assertEquals(60 / 50.0, more.ratio(), 1e-9);
        assertEquals("met", verdicts(replace(runs(), T1, "weft-tcp-proxy", 21_000, 550)).get(1).verdict(), "equal");
        // HAProxy's p50 under direct's (a busier machine during direct's run): no ratio, the comparison stands.
        List<Measurement> noisy = replace(runs(), T1, "haproxy-tcp", 20_000, 250); // p50 50 µs, 10 µs under direct
        Targets.Verdict v = verdicts(noisy).get(1);
        assertTrue(Double.isNaN(v.ratio()), String.valueOf(v.ratio()));
        assertEquals("not met", v.verdict());
        assertEquals("HAProxy -10.0 µs added (p50 50.0 µs), direct p50 60.0 µs", v.reference());
    }

    @Test
    void withoutACountWithoutDirectOrAQuickRunsFiftyConnectionsTheyAreNotMeasured() {
        List<Measurement> noThousand = new ArrayList<>(runs()); // --tcp-proxy-connections 1,100
        noThousand.removeIf(m -> m.scenario().connections() == 1_000);
        List<Targets.Verdict> v = verdicts(noThousand);
        assertEquals("not measured", v.get(0).verdict());
        assertEquals("met", v.get(1).verdict(), "the latency target needs one connection only");
        List<Measurement> noDirect = new ArrayList<>(runs());
        noDirect.removeIf(m -> m.server().equals("direct"));
        assertEquals("met", verdicts(noDirect).get(0).verdict());
        assertEquals("not measured", verdicts(noDirect).get(1).verdict());
        Scenario quick = scenario(50);
        List<Measurement> q = PROXIES.stream().map(k -> TestRuns.run(quick, k.label(), 1, 5_000, 1_000)).toList();
        for (Targets.Verdict x : verdicts(q)) {
            assertEquals("not measured", x.verdict(), x.target());
        }
        // A run of Weft's proxy that never got going leaves the other repetitions' figures.
        List<Measurement> failed = new ArrayList<>(runs());
        failed.add(TestRuns.failed(T100, "weft-tcp-proxy", 4));
        assertEquals("met", verdicts(failed).get(0).verdict());
    }

    @Test
    void theRunReadsBackFromJsonWithTheScenarioSpelledOut() {
        Report report = report(runs());
        String json = BenchJson.pretty(report.saved());
        JsonNode tree = BenchJson.tree(json);
        JsonNode first = tree.get("measurements").get(0);
        assertEquals("tcp_proxy", first.get("protocol").textValue());
        assertEquals("tcp-proxy closed 1", first.get("scenario").textValue());
        assertEquals("weft-load-client", first.get("tool").textValue());
        assertEquals("closed", first.get("mode").textValue());
        Report again = Report.read(json);
        assertEquals(report.markdown(), again.markdown());
        assertEquals(tree, BenchJson.tree(BenchJson.pretty(again.saved())));
        assertEquals("met", tree.get("targets").get(TCP_PROXY).get("verdict").textValue());
        assertEquals(1.02, tree.get("targets").get(TCP_PROXY).get("ratio").doubleValue());
    }

    /** The TCP proxy's two verdicts: msgs/s against HAProxy's, the latency added at one connection. */
    private static List<Targets.Verdict> verdicts(List<Measurement> runs) {
        List<Targets.Verdict> all = Targets.judge(Summary.of(runs), List.of());
        assertEquals(12, all.size());
        return all.subList(TCP_PROXY, TCP_LATENCY + 1);
    }

    private static List<Measurement> replace(List<Measurement> runs, Scenario s, String server, double rate,
            double p99) {
        List<Measurement> out = new ArrayList<>(runs);
        out.removeIf(m -> m.scenario().equals(s) && m.server().equals(server));
        for (int rep = 1; rep <= 3; rep++) {
            out.add(TestRuns.run(s, server, rep, rate, p99));
        }
        return out;
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "missing: " + expected + "\n\n" + text);
    }
}
