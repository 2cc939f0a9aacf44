package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.Args;
import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench command line, its scenarios, and the README section it rewrites. */
class BenchOptionsTest {

    @Test
    void theFullRunAlternatesEveryServerThroughEveryScenario() {
        BenchOptions o = BenchOptions.parse(new String[0]);
        assertEquals(3, o.repetitions());
        List<Scenario> s = o.scenarios(true);
        // echo: 3 closed + 1 open; HTTP: 3 closed + 1 open + wrk; reverse proxy: wrk at 100 and 1,000
        assertEquals(11, s.size());
        assertEquals(5, s.get(0).servers().size());
        assertEquals(Protocol.HTTP, s.get(8).protocol());
        assertEquals(Scenario.Tool.WRK, s.get(8).tool());
        assertEquals(List.of(ServerKind.WEFT_HTTP, ServerKind.NETTY_HTTP), s.get(8).servers());
        assertEquals(Protocol.PROXY, s.get(9).protocol());
        assertEquals(List.of(100, 1_000), List.of(s.get(9).connections(), s.get(10).connections()));
        assertEquals(8, o.scenarios(false).size()); // without wrk: no wrk and no reverse-proxy scenario
        assertEquals(20_000, s.get(3).rate());
        assertEquals(10_000, s.get(3).connections());
    }

    @Test
    void eachRepetitionRotatesTheServerOrderSoNoServerAlwaysRunsFirst() {
        Scenario s = BenchOptions.parse(new String[0]).scenarios(true).get(0);
        List<ServerKind> a = s.servers();
        assertEquals(a, s.serversIn(1));
        assertEquals(List.of(a.get(1), a.get(2), a.get(3), a.get(4), a.get(0)), s.serversIn(2));
        assertEquals(List.of(a.get(2), a.get(3), a.get(4), a.get(0), a.get(1)), s.serversIn(3));
        assertEquals(a, s.serversIn(6));
        for (int rep = 1; rep <= a.size(); rep++) {
            assertEquals(a.get(rep - 1), s.serversIn(rep).get(0), "first in repetition " + rep);
        }
    }

    @Test
    void wrongValuesAreRefusedWithTheReason() {
        assertTrue(assertThrows(Args.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--connections", "30000"})).getMessage().contains("20,000"));
        assertTrue(assertThrows(Args.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--servers", "tomcat"})).getMessage().contains("tomcat"));
        assertTrue(assertThrows(Args.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--quick", "--update-readme"})).getMessage()
                .contains("full run"));
    }

    @Test
    void theProxyServersAloneSelectTheReverseProxyScenarioAtAHundredAndAThousand() {
        BenchOptions o = BenchOptions.parse(new String[] {"--no-jmh", "--servers",
                "weft-proxy,nginx-proxy,haproxy-proxy,direct", "--reps", "3"});
        List<Scenario> s = o.scenarios(true);
        assertEquals(2, s.size());
        List<ServerKind> proxies = List.of(ServerKind.WEFT_PROXY, ServerKind.NGINX_PROXY, ServerKind.HAPROXY_PROXY,
                ServerKind.DIRECT);
        for (Scenario x : s) {
            assertEquals(Protocol.PROXY, x.protocol());
            assertEquals(Scenario.Tool.WRK, x.tool());
            assertEquals(0, x.rate());
            assertEquals(proxies, x.servers());
        }
        assertEquals(List.of("proxy wrk 100", "proxy wrk 1000"), s.stream().map(Scenario::name).toList());
        // The proxies alternate like every other server: each leads one repetition.
        assertEquals(List.of(ServerKind.NGINX_PROXY, ServerKind.HAPROXY_PROXY, ServerKind.DIRECT,
                ServerKind.WEFT_PROXY), s.get(0).serversIn(2));
        assertTrue(o.load());
        assertFalse(o.jmh());
        assertEquals(List.of(), o.scenarios(false), "the reverse proxy is measured with wrk only");
        assertEquals(List.of(ServerKind.NGINX_PROXY, ServerKind.HAPROXY_PROXY), ProxyPeer.kindsIn(s));
    }

    @Test
    void theOtherServersLeaveTheReverseProxyOutAndItsConnectionsAreTheirOwn() {
        BenchOptions o = BenchOptions.parse(new String[] {"--servers", "weft-http,netty-http", "--connections", "1000"});
        assertTrue(o.scenarios(true).stream().noneMatch(x -> x.protocol() == Protocol.PROXY));
        assertEquals(List.of(), ProxyPeer.kindsIn(o.scenarios(true)));
        BenchOptions mixed = BenchOptions.parse(new String[] {"--servers", "weft,direct", "--connections", "1000",
                "--proxy-connections", "200"});
        List<Scenario> s = mixed.scenarios(true);
        assertEquals(List.of("echo closed 1000", "echo open 1000 @20000/s", "proxy wrk 200"),
                s.stream().map(Scenario::name).toList());
        assertEquals(List.of(ServerKind.DIRECT), s.get(2).servers());
        assertEquals(List.of(), ProxyPeer.kindsIn(s), "direct needs no peer binary");
        assertEquals(List.of(), Bench.missingPeers(s));
    }

    @Test
    void aQuickRunHasTheReverseProxyAtFiftyConnections() {
        BenchOptions o = BenchOptions.parse(new String[] {"--quick"});
        List<Scenario> proxy = o.scenarios(true).stream().filter(x -> x.protocol() == Protocol.PROXY).toList();
        assertEquals(1, proxy.size());
        assertEquals(50, proxy.get(0).connections());
        assertEquals(4, proxy.get(0).servers().size());
        assertEquals(1, o.repetitions());
    }

    @Test
    void proxyConnectionsAreBoundedByWhatAProxyCanHold() {
        String why = assertThrows(Args.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--proxy-connections", "100,9000"})).getMessage();
        assertTrue(why.contains("--proxy-connections") && why.contains("9000") && why.contains("maxconn"), why);
        assertTrue(assertThrows(Args.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--proxy-connections", "many"})).getMessage()
                .contains("--proxy-connections takes numbers"));
        assertEquals(List.of(8_000), BenchOptions.parse(new String[] {"--proxy-connections", "8000"})
                .proxyConnections());
    }

    @Test
    void readmeSectionIsReplacedBetweenTheMarkers(@TempDir Path dir) throws IOException {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# T\n\n" + Readme.BEGIN + "\nold\n" + Readme.END + "\n\nafter\n");
        Readme.update(readme, "new table\n");
        assertEquals("# T\n\n" + Readme.BEGIN + "\nnew table\n" + Readme.END + "\n\nafter\n", Files.readString(readme));
        Files.writeString(readme, "no markers");
        assertThrows(IOException.class, () -> Readme.update(readme, "x"));
    }
}
