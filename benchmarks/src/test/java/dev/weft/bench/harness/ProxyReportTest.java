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
 * The reverse-proxy scenario in the report: its table, its target, the header naming the proxies'
 * settings, its JSON. Three repetitions:
 *
 * <pre>
 * connections  proxy          req/s per rep      p99 µs
 * 100          weft-proxy     30k, 32k, 31k      4,000
 *              nginx-proxy    28k, 29k, 27k      5,000
 *              haproxy-proxy  29k, 30k, 31k      4,500
 *              direct         60k, 60k, 60k      2,000
 * 1,000        weft-proxy     25k, 26k, 24k      40,000
 *              nginx-proxy    22k, 22k, 22k      60,000
 *              haproxy-proxy  24k, 23k, 24k      45,000
 *              direct         50k, 50k, 50k      20,000
 * </pre>
 */
class ProxyReportTest {

    private static final List<ServerKind> PROXIES = List.of(ServerKind.WEFT_PROXY, ServerKind.NGINX_PROXY,
            ServerKind.HAPROXY_PROXY, ServerKind.DIRECT);
    private static final Scenario P100 = new Scenario(Protocol.PROXY, Scenario.Tool.WRK, 100, 0, PROXIES);
    private static final Scenario P1K = new Scenario(Protocol.PROXY, Scenario.Tool.WRK, 1_000, 0, PROXIES);
    private static final String PEERS = "nginx 1.22.1, HAProxy 2.6.12-1+deb12u4";

    static List<Measurement> runs() {
        List<Measurement> all = new ArrayList<>();
        double[][] rps100 = {{30_000, 32_000, 31_000}, {28_000, 29_000, 27_000}, {29_000, 30_000, 31_000},
            {60_000, 60_000, 60_000}};
        double[] p99100 = {4_000, 5_000, 4_500, 2_000};
        double[][] rps1k = {{25_000, 26_000, 24_000}, {22_000, 22_000, 22_000}, {24_000, 23_000, 24_000},
            {50_000, 50_000, 50_000}};
        double[] p991k = {40_000, 60_000, 45_000, 20_000};
        for (int rep = 1; rep <= 3; rep++) {
            for (int k = 0; k < PROXIES.size(); k++) {
                all.add(TestRuns.run(P100, PROXIES.get(k).label(), rep, rps100[k][rep - 1], p99100[k]));
            }
            for (int k = 0; k < PROXIES.size(); k++) {
                all.add(TestRuns.run(P1K, PROXIES.get(k).label(), rep, rps1k[k][rep - 1], p991k[k]));
            }
        }
        return all;
    }

    private static Report report(List<Measurement> runs) {
        RunInfo info = new RunInfo("./weft bench --no-jmh --servers weft-proxy,nginx-proxy,haproxy-proxy,direct",
                Instant.parse("2026-12-03T10:00:00Z"), Duration.ofMinutes(6), "OpenJDK 25", List.of("-Xmx2g"),
                "2 cores", false, 3, "EPOLL", "echoPerMessage", PEERS);
        return new Report(info, runs, List.of());
    }

    @Test
    void theTableHasARowPerConnectionCountAndProxyWithWrksFiguresCpuAndTheRatioToDirect() {
        String md = report(runs()).markdown();
        assertContains(md, "### Reverse proxy: `GET /hello` through each proxy to one `netty-http` backend");
        assertContains(md, "| connections | proxy | req/s | vs direct | p50 | p99 | timeouts | errors (non-2xx, socket)"
                + " | CPU µs/req | context switches/req |");
        assertContains(md, "| 100 | weft-proxy | 31,000 (30,000–32,000) | 0.52× | 0.80 ms | 4.00 ms | 0 | 0 | 10.0"
                + " | 0.50 |");
        assertContains(md, "| 100 | nginx-proxy | 28,000 (27,000–29,000) | 0.47× | 1.00 ms | 5.00 ms | 0 | 0 | 8.0"
                + " | 0.25 |");
        assertContains(md, "| 100 | direct | 60,000 (60,000–60,000) | 1.00× | 0.40 ms | 2.00 ms | 0 | 0 | 8.0 | 0.25 |");
        assertContains(md, "| 1,000 | haproxy-proxy | 24,000 (23,000–24,000) | 0.48× | 9.00 ms | 45 ms | 0 | 0 |");
        // rows in the order the proxies ran, 100 before 1,000
        assertTrue(md.indexOf("| 100 | weft-proxy") < md.indexOf("| 100 | nginx-proxy")
                && md.indexOf("| 100 | direct") < md.indexOf("| 1,000 | weft-proxy"), md);
        // Its figures are in its own table: not in wrk's HTTP table, not in the per-scenario CPU table.
        assertFalse(md.contains("| proxy wrk 100"), md);
        assertFalse(md.contains("### HTTP with wrk"), md);
        assertFalse(md.contains("NaN"), md);
    }

    @Test
    void theHeaderNamesEachProxysSettingsAndVersionOnlyWhenTheRunHasThem() {
        String header = report(runs()).markdown().lines().findFirst().orElseThrow();
        assertContains(header, "reverse proxy: Weft's `ReverseProxy` (`keepalive(1024)`) as the fallback of an"
                + " `HttpServer` on the same transport, in its own JVM");
        assertContains(header, "nginx 1.22.1 (`worker_processes 2`, upstream `keepalive 64`");
        assertContains(header, "HAProxy 2.6.12-1+deb12u4 (`nbthread 2`, `http-reuse always`, `maxconn 9000`)");
        assertContains(header, "one `netty-http` backend in a JVM of its own, started anew for each measurement");
        String without = TestRuns.report(TestRuns.full(), List.of()).markdown().lines().findFirst().orElseThrow();
        assertFalse(without.contains("ReverseProxy"), without);
        assertContains(without, "Netty on its native epoll transport; took 25 min 07 s.");
    }

    @Test
    void theTargetIsMetWhenWeftBeatsTheBetterPeerAtBothCountsCleanlyWithinHaproxysP99() {
        Targets.Verdict v = proxyVerdict(runs());
        assertEquals("met", v.verdict());
        assertEquals(31 / 30.0, v.ratio(), 1e-9); // the lower of 31/30 (100) and 25/24 (1,000)
        assertEquals("31,000 / 25,000 req/s, p99 4.00 / 40.00 ms, 0 timeouts + errors", v.weft());
        assertEquals("better peer 30,000 / 24,000 req/s, HAProxy p99 4.50 / 45.00 ms", v.reference());
        String md = report(runs()).markdown();
        assertContains(md, "| reverse proxy req/s, 100 and 1,000 conns: ≥ the better of nginx and HAProxy, 0 timeouts,"
                + " 0 errors, p99 ≤ HAProxy's | 31,000 / 25,000 req/s, p99 4.00 / 40.00 ms, 0 timeouts + errors |"
                + " better peer 30,000 / 24,000 req/s, HAProxy p99 4.50 / 45.00 ms | 1.03× | **met** |");
    }

    @Test
    void slowerThanAPeerAtOneCountIsNotMet() {
        List<Measurement> runs = replace(runs(), P1K, "weft-proxy", 23_000, 40_000, 0, 0);
        Targets.Verdict v = proxyVerdict(runs);
        assertEquals("not met", v.verdict());
        assertEquals(23 / 24.0, v.ratio(), 1e-9);
    }

    @Test
    void oneTimeoutOrErrorInAnyRepetitionIsNotMet() {
        Targets.Verdict timeout = proxyVerdict(replace(runs(), P100, "weft-proxy", 31_000, 4_000, 0, 1));
        assertEquals("not met", timeout.verdict());
        assertTrue(timeout.weft().endsWith("1 timeouts + errors"), timeout.weft());
        assertEquals("not met", proxyVerdict(replace(runs(), P1K, "weft-proxy", 25_000, 40_000, 3, 0)).verdict());
        // A peer's errors are its own business.
        assertEquals("met", proxyVerdict(replace(runs(), P1K, "nginx-proxy", 22_000, 60_000, 5, 5)).verdict());
    }

    @Test
    void aP99AboveHaproxysIsNotMetEvenWhenFaster() {
        Targets.Verdict v = proxyVerdict(replace(runs(), P1K, "weft-proxy", 25_000, 46_000, 0, 0));
        assertEquals("not met", v.verdict());
        assertTrue(v.ratio() >= 1, "faster: " + v.ratio());
    }

    @Test
    void withoutAPeerAtOneCountOrAQuickRunsFiftyConnectionsItIsNotMeasured() {
        List<Measurement> runs = new ArrayList<>(runs());
        runs.removeIf(m -> m.server().equals("haproxy-proxy") && m.scenario().connections() == 1_000);
        assertEquals("not measured", proxyVerdict(runs).verdict());
        Scenario quick = new Scenario(Protocol.PROXY, Scenario.Tool.WRK, 50, 0, PROXIES);
        List<Measurement> q = PROXIES.stream().map(k -> TestRuns.run(quick, k.label(), 1, 5_000, 1_000)).toList();
        assertEquals("not measured", proxyVerdict(q).verdict());
        // A failed run of the Weft proxy leaves the other repetitions' figures but counts its failures.
        List<Measurement> failed = new ArrayList<>(runs());
        failed.add(TestRuns.failed(P100, "weft-proxy", 4));
        assertEquals("not met", proxyVerdict(failed).verdict());
    }

    @Test
    void theRunReadsBackFromJsonWithItsPeersAndARunWithoutPeersWritesNoPeersField() {
        Report report = report(runs());
        String json = BenchJson.pretty(report.saved());
        JsonNode tree = BenchJson.tree(json);
        assertEquals(PEERS, tree.get("run").get("peers").textValue());
        assertEquals("proxy", tree.get("measurements").get(0).get("protocol").textValue());
        assertEquals("proxy wrk 100", tree.get("measurements").get(0).get("scenario").textValue());
        Report again = Report.read(json);
        assertEquals(report.markdown(), again.markdown());
        assertEquals(tree, BenchJson.tree(BenchJson.pretty(again.saved())));
        JsonNode plain = BenchJson.tree(BenchJson.pretty(TestRuns.report(TestRuns.full(), List.of()).saved()));
        assertFalse(plain.get("run").has("peers"), plain.get("run").toString());
        assertEquals("", Report.read(BenchJson.pretty(TestRuns.report(TestRuns.full(), List.of()).saved()))
                .saved().run().peers());
    }

    @Test
    void theReadmeRendererPutsTheProxyTableIntoTheReadme(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path readme = dir.resolve("README.md");
        java.nio.file.Files.writeString(readme, "# T\n" + Readme.BEGIN + "\nold\n" + Readme.END + "\n");
        Readme.update(readme, report(runs()).markdown("benchmarks/results/"));
        String text = java.nio.file.Files.readString(readme);
        assertContains(text, "| 1,000 | weft-proxy | 25,000 (24,000–26,000) |");
        assertContains(text, "**met** |");
    }

    private static Targets.Verdict proxyVerdict(List<Measurement> runs) {
        List<Targets.Verdict> all = Targets.judge(Summary.of(runs), List.of());
        assertEquals(12, all.size());
        return all.get(7);
    }

    private static List<Measurement> replace(List<Measurement> runs, Scenario s, String server, double rps,
            double p99, long errors, long timeouts) {
        List<Measurement> out = new ArrayList<>(runs);
        out.removeIf(m -> m.scenario().equals(s) && m.server().equals(server));
        for (int rep = 1; rep <= 3; rep++) {
            out.add(TestRuns.run(s, server, rep, rps, p99, rep == 2 ? errors : 0, rep == 2 ? timeouts : 0));
        }
        return out;
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "missing: " + expected + "\n\n" + text);
    }
}
