package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.bench.json.BenchJson;
import dev.weft.bench.load.LoadResult;
import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forward-proxy scenario in the report: its two tables, its two targets, the header naming the
 * proxies' settings, its JSON. Three repetitions:
 *
 * <pre>
 * scenario       proxy       per rep                  p99 µs
 * wrk 100        weft-fwd    30k, 32k, 31k req/s      4,000
 *                squid       14k, 15k, 16k            5,000
 *                tinyproxy   12k, 13k, 11k            6,000
 *                direct      60k, 60k, 60k            2,000
 * wrk 1,000      weft-fwd    20k, 21k, 19k            40,000
 *                squid       9k, 10k, 11k             60,000
 *                tinyproxy   7k, 8k, 9k               70,000
 *                direct      50k, 50k, 50k            20,000
 * tunnel         weft-fwd    2,800, 2,900, 3,000 MiB/s, uploads of 35 ms; 300 µs CPU and 4 switches per MiB
 *                squid       1,000, 1,100, 1,050      95 ms; 200 µs, 2
 *                tinyproxy   700, 700, 700            143 ms; 900 µs, switches not counted
 *                direct      3,100, 3,200, 3,300      31 ms; not sampled
 * </pre>
 *
 * Weft reaches 31/15 = 2.07× the better peer at 100 and 20/10 = 2.00× at 1,000, and 2,900/3,200 =
 * 0.91× of direct through the tunnel: both targets met, each just.
 */
class ForwardReportTest {

    private static final List<ServerKind> FORWARD = List.of(ServerKind.WEFT_FWD, ServerKind.SQUID,
            ServerKind.TINYPROXY, ServerKind.DIRECT);
    private static final Scenario F100 = new Scenario(Protocol.FORWARD, Scenario.Tool.WRK, 100, 0, FORWARD);
    private static final Scenario F1K = new Scenario(Protocol.FORWARD, Scenario.Tool.WRK, 1_000, 0, FORWARD);
    private static final Scenario TUNNEL = new Scenario(Protocol.FORWARD, Scenario.Tool.TUNNEL, 1, 0, FORWARD);
    private static final String PEERS = "Squid 5.7, tinyproxy 1.11.1";

    static List<Measurement> runs() {
        List<Measurement> all = new ArrayList<>();
        double[][] rps100 = {{30_000, 32_000, 31_000}, {14_000, 15_000, 16_000}, {12_000, 13_000, 11_000},
            {60_000, 60_000, 60_000}};
        double[] p99100 = {4_000, 5_000, 6_000, 2_000};
        double[][] rps1k = {{20_000, 21_000, 19_000}, {9_000, 10_000, 11_000}, {7_000, 8_000, 9_000},
            {50_000, 50_000, 50_000}};
        double[] p991k = {40_000, 60_000, 70_000, 20_000};
        double[][] mibs = {{2_800, 2_900, 3_000}, {1_000, 1_100, 1_050}, {700, 700, 700}, {3_100, 3_200, 3_300}};
        double[] uploadMs = {35, 95, 143, 31};
        double[] cpu = {300, 200, 900, Double.NaN};
        double[] switches = {4, 2, Double.NaN, Double.NaN};
        for (int rep = 1; rep <= 3; rep++) {
            for (int k = 0; k < FORWARD.size(); k++) {
                String server = FORWARD.get(k).label();
                all.add(TestRuns.run(F100, server, rep, rps100[k][rep - 1], p99100[k]));
                all.add(TestRuns.run(F1K, server, rep, rps1k[k][rep - 1], p991k[k]));
                all.add(tunnel(server, rep, mibs[k][rep - 1], uploadMs[k], cpu[k], switches[k], 0));
            }
        }
        return all;
    }

    /** One repetition's uploads: six seconds of them at {@code mibPerSec}. */
    static Measurement tunnel(String server, int rep, double mibPerSec, double uploadMs, double cpu, double switches,
            long errors) {
        LoadResult r = new LoadResult("forward", 0, 1, 0, errors, 0, (long) (mibPerSec * 6), 6, mibPerSec,
                uploadMs * 1e3, Double.NaN, Double.NaN, uploadMs * 1.5e3, errors == 0 ? "" : "the proxy closed");
        return new Measurement(TUNNEL, server, rep, r, Double.NaN, Double.NaN, cpu, switches);
    }

    static Report report(List<Measurement> runs) {
        RunInfo info = new RunInfo("./weft bench --no-jmh --servers weft-fwd,squid,tinyproxy,direct",
                Instant.parse("2026-12-07T10:00:00Z"), Duration.ofMinutes(4), "OpenJDK 25", List.of("-Xmx2g"),
                "2 cores", false, 3, "EPOLL", "echoPerMessage", PEERS);
        return new Report(info, runs, List.of());
    }

    @Test
    void theWrkTableHasARowPerConnectionCountAndProxyWithTheRatioToDirect() {
        String md = report(runs()).markdown();
        assertContains(md, "### Forward proxy: `GET http://127.0.0.1:BACKEND/hello` through each proxy to one"
                + " `netty-http` backend (wrk `-t2 -cN --latency --timeout 2s` with absolute-form requests");
        assertContains(md, "| connections | proxy | req/s | vs direct | p50 | p99 | timeouts | errors (non-2xx, socket)"
                + " | CPU µs/req | context switches/req |");
        assertContains(md, "| 100 | weft-fwd | 31,000 (30,000–32,000) | 0.52× | 0.80 ms | 4.00 ms | 0 | 0 | 10.0 | 0.50 |");
        assertContains(md, "| 100 | squid | 15,000 (14,000–16,000) | 0.25× | 1.00 ms | 5.00 ms | 0 | 0 | 8.0 | 0.25 |");
        assertContains(md, "| 1,000 | tinyproxy | 8,000 (7,000–9,000) | 0.16× | 14 ms | 70 ms | 0 | 0 |");
        assertContains(md, "| 1,000 | direct | 50,000 (50,000–50,000) | 1.00× |");
        assertTrue(md.indexOf("| 100 | direct") < md.indexOf("| 1,000 | weft-fwd"), md);
        assertFalse(md.contains("### Reverse proxy"), "no reverse-proxy runs, no reverse-proxy table");
        assertFalse(md.contains("| forward wrk 100"), "not in the per-scenario CPU table: " + md);
        assertFalse(md.contains("NaN"), md);
    }

    @Test
    void theTunnelTableShowsMibPerSecondAgainstDirectAndTheProxysCpuPerMib() {
        String md = report(runs()).markdown();
        assertContains(md, "### CONNECT tunnel: 100 MiB uploads through each proxy to a local sink, one at a time,"
                + " a new tunnel for each (`direct`: straight to the sink)");
        assertContains(md, "| proxy | MiB/s | vs direct | median upload | failed uploads | CPU µs/MiB"
                + " | context switches/MiB |");
        assertContains(md, "| weft-fwd | 2,900 (2,800–3,000) | 0.91× | 35 ms | 0 | 300 | 4.0 |");
        assertContains(md, "| squid | 1,050 (1,000–1,100) | 0.33× | 95 ms | 0 | 200 | 2.0 |");
        assertContains(md, "| tinyproxy | 700 (700–700) | 0.22× | 143 ms | 0 | 900 | — |");
        assertContains(md, "| direct | 3,200 (3,100–3,300) | 1.00× | 31 ms | 0 | — | — |");
        assertTrue(md.indexOf("### Forward proxy") < md.indexOf("### CONNECT tunnel"), md);
    }

    @Test
    void theHeaderNamesEachForwardProxysSettingsAndVersion() {
        String header = report(runs()).markdown().lines().findFirst().orElseThrow();
        assertContains(header, "forward proxy: Weft's `ForwardProxy` (`keepalive(1024)`, 127.0.0.1 allowed) as the"
                + " fallback of an `HttpServer` on the same transport, in its own JVM");
        assertContains(header, "Squid 5.7 (`-N`, `workers 1`, `cache deny all`)");
        assertContains(header, "tinyproxy 1.11.1 (`MaxClients 9000`; it closes every client connection after one"
                + " response)");
        assertContains(header, "100 MiB uploads, each through a `CONNECT` tunnel of its own, to a sink");
        assertFalse(header.contains("reverse proxy:"), header);
    }

    @Test
    void bothTargetsAreMetAtTheirBoundaries() {
        Targets.Verdict wrk = verdicts(runs()).get(0);
        assertEquals("met", wrk.verdict());
        assertEquals(2.0, wrk.ratio(), 1e-9); // the lower of 31/15 (100) and 20/10 (1,000)
        assertEquals("31,000 / 20,000 req/s, 0 timeouts + errors", wrk.weft());
        assertEquals("better peer 15,000 / 10,000 req/s", wrk.reference());
        Targets.Verdict tunnel = verdicts(runs()).get(1);
        assertEquals("met", tunnel.verdict());
        assertEquals(2_900 / 3_200.0, tunnel.ratio(), 1e-9);
        assertEquals("2,900 MiB/s, 0 errors", tunnel.weft());
        assertEquals("direct 3,200 MiB/s", tunnel.reference());
        String md = report(runs()).markdown();
        assertContains(md, "| forward proxy req/s, 100 and 1,000 conns: ≥ 2× the better of Squid and tinyproxy,"
                + " 0 timeouts, 0 errors | 31,000 / 20,000 req/s, 0 timeouts + errors | better peer 15,000 / 10,000"
                + " req/s | 2.00× | **met** |");
        assertContains(md, "| CONNECT tunnel, 100 MiB uploads: ≥ 0.9× direct's MiB/s, 0 errors | 2,900 MiB/s, 0 errors"
                + " | direct 3,200 MiB/s | 0.91× | **met** |");
        assertContains(md, "its forward proxy against Squid and tinyproxy, its TCP proxy against HAProxy `mode tcp`;"
                + " same run)");
    }

    @Test
    void justUnderTwiceTheBetterPeerOrOneTimeoutOrErrorIsNotMet() {
        assertEquals("not met", verdicts(replace(runs(), F1K, "weft-fwd", 19_999)).get(0).verdict());
        List<Measurement> timeout = new ArrayList<>(runs());
        timeout.removeIf(m -> m.scenario().equals(F100) && m.server().equals("weft-fwd") && m.repetition() == 2);
        timeout.add(TestRuns.run(F100, "weft-fwd", 2, 32_000, 4_000, 0, 1));
        Targets.Verdict v = verdicts(timeout).get(0);
        assertEquals("not met", v.verdict());
        assertTrue(v.weft().endsWith("1 timeouts + errors"), v.weft());
        // tinyproxy's errors (it closes connections it answered as kept alive) are its own business.
        List<Measurement> peerErrors = new ArrayList<>(runs());
        peerErrors.removeIf(m -> m.scenario().equals(F100) && m.server().equals("tinyproxy"));
        for (int rep = 1; rep <= 3; rep++) {
            peerErrors.add(TestRuns.run(F100, "tinyproxy", rep, 12_000, 6_000, 12_000, 0));
        }
        assertEquals("met", verdicts(peerErrors).get(0).verdict());
    }

    @Test
    void aSlowerTunnelOrAFailedUploadIsNotMet() {
        List<Measurement> slow = new ArrayList<>(runs());
        slow.removeIf(m -> m.scenario().equals(TUNNEL) && m.server().equals("weft-fwd"));
        for (int rep = 1; rep <= 3; rep++) {
            slow.add(tunnel("weft-fwd", rep, 2_870, 35, 300, 4, 0)); // 0.897× of 3,200
        }
        assertEquals("not met", verdicts(slow).get(1).verdict());
        List<Measurement> failed = new ArrayList<>(runs());
        failed.removeIf(m -> m.scenario().equals(TUNNEL) && m.server().equals("weft-fwd") && m.repetition() == 3);
        failed.add(tunnel("weft-fwd", 3, 3_000, 35, 300, 4, 1));
        Targets.Verdict v = verdicts(failed).get(1);
        assertEquals("not met", v.verdict());
        assertEquals("2,900 MiB/s, 1 errors", v.weft());
    }

    @Test
    void withoutAPeerOrDirectTheTargetsAreNotMeasured() {
        List<Measurement> noTinyproxy = new ArrayList<>(runs());
        noTinyproxy.removeIf(m -> m.server().equals("tinyproxy"));
        assertEquals("not measured", verdicts(noTinyproxy).get(0).verdict());
        assertEquals("met", verdicts(noTinyproxy).get(1).verdict(), "the tunnel needs only direct");
        List<Measurement> noDirect = new ArrayList<>(runs());
        noDirect.removeIf(m -> m.server().equals("direct"));
        assertEquals("not measured", verdicts(noDirect).get(1).verdict());
        Scenario quick = new Scenario(Protocol.FORWARD, Scenario.Tool.WRK, 50, 0, FORWARD);
        List<Measurement> q = FORWARD.stream().map(k -> TestRuns.run(quick, k.label(), 1, 5_000, 1_000)).toList();
        assertEquals("not measured", verdicts(q).get(0).verdict());
    }

    @Test
    void theRunReadsBackFromJsonWithTheTunnelsTool() {
        Report report = report(runs());
        String json = BenchJson.pretty(report.saved());
        JsonNode tree = BenchJson.tree(json);
        assertEquals("forward tunnel", tree.get("measurements").get(2).get("scenario").textValue());
        assertEquals("tunnel-upload", tree.get("measurements").get(2).get("tool").textValue());
        assertEquals("forward", tree.get("measurements").get(2).get("protocol").textValue());
        Report again = Report.read(json);
        assertEquals(report.markdown(), again.markdown());
        assertEquals(tree, BenchJson.tree(BenchJson.pretty(again.saved())));
    }

    @Test
    void theReadmeRendererPutsBothForwardTablesIntoTheReadme(@TempDir Path dir) throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# T\n" + Readme.BEGIN + "\nold\n" + Readme.END + "\n");
        Readme.update(readme, report(runs()).markdown("benchmarks/results/"));
        String text = Files.readString(readme);
        assertContains(text, "| 1,000 | weft-fwd | 20,000 (19,000–21,000) |");
        assertContains(text, "| weft-fwd | 2,900 (2,800–3,000) | 0.91× |");
        assertFalse(text.contains("old"), text);
    }

    /** The forward proxy's two verdicts: req/s against the peers, the tunnel against direct. */
    private static List<Targets.Verdict> verdicts(List<Measurement> runs) {
        List<Targets.Verdict> all = Targets.judge(Summary.of(runs), List.of());
        assertEquals(12, all.size());
        return all.subList(8, 10);
    }

    private static List<Measurement> replace(List<Measurement> runs, Scenario s, String server, double rps) {
        List<Measurement> out = new ArrayList<>(runs);
        out.removeIf(m -> m.scenario().equals(s) && m.server().equals(server));
        for (int rep = 1; rep <= 3; rep++) {
            out.add(TestRuns.run(s, server, rep, rps, 40_000));
        }
        return out;
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "missing: " + expected + "\n\n" + text);
    }
}
