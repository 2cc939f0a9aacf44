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
        // echo: 3 closed + 1 open; HTTP: 3 closed + 1 open + wrk; reverse proxy: wrk at 100 and 1,000;
        // forward proxy: wrk at 100 and 1,000, the tunnel; TCP proxy: the load client at 1, 100 and 1,000
        assertEquals(17, s.size());
        assertEquals(5, s.get(0).servers().size());
        assertEquals(Protocol.HTTP, s.get(8).protocol());
        assertEquals(Scenario.Tool.WRK, s.get(8).tool());
        assertEquals(List.of(ServerKind.WEFT_HTTP, ServerKind.NETTY_HTTP), s.get(8).servers());
        assertEquals(Protocol.PROXY, s.get(9).protocol());
        assertEquals(List.of(100, 1_000), List.of(s.get(9).connections(), s.get(10).connections()));
        assertEquals(List.of("forward wrk 100", "forward wrk 1000", "forward tunnel"),
                s.subList(11, 14).stream().map(Scenario::name).toList());
        assertEquals(List.of(ServerKind.WEFT_FWD, ServerKind.SQUID, ServerKind.TINYPROXY, ServerKind.DIRECT),
                s.get(13).servers(), "the forward proxies, direct as their reference");
        assertEquals(List.of(ServerKind.WEFT_PROXY, ServerKind.NGINX_PROXY, ServerKind.HAPROXY_PROXY,
                ServerKind.DIRECT), s.get(9).servers(), "direct in every proxy scenario");
        assertEquals(List.of("tcp-proxy closed 1", "tcp-proxy closed 100", "tcp-proxy closed 1000"),
                s.subList(14, 17).stream().map(Scenario::name).toList());
        for (Scenario x : s.subList(14, 17)) {
            assertEquals(Protocol.TCP_PROXY, x.protocol());
            assertEquals(Scenario.Tool.WEFT_CLIENT, x.tool(), "the load client, not wrk");
            assertEquals(0, x.rate(), "closed loop");
            assertEquals(List.of(ServerKind.WEFT_TCP_PROXY, ServerKind.HAPROXY_TCP, ServerKind.DIRECT), x.servers());
        }
        // without wrk: no wrk scenario and no reverse-proxy scenario; the tunnel and the TCP proxy need no wrk
        assertEquals(List.of("echo closed 1000", "echo closed 10000", "echo closed 19000", "echo open 10000 @20000/s",
                "http closed 1000", "http closed 10000", "http closed 19000", "http open 10000 @10000/s",
                "forward tunnel", "tcp-proxy closed 1", "tcp-proxy closed 100", "tcp-proxy closed 1000"),
                o.scenarios(false).stream().map(Scenario::name).toList());
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
                "--proxy-connections", "200", "--tcp-proxy-connections", "300"});
        List<Scenario> s = mixed.scenarios(true);
        // direct without any proxy: the reference alone, in every proxy scenario
        assertEquals(List.of("echo closed 1000", "echo open 1000 @20000/s", "proxy wrk 200", "forward wrk 200",
                "forward tunnel", "tcp-proxy closed 300"), s.stream().map(Scenario::name).toList());
        assertEquals(List.of(ServerKind.DIRECT), s.get(2).servers());
        assertEquals(List.of(ServerKind.DIRECT), s.get(4).servers());
        assertEquals(List.of(ServerKind.DIRECT), s.get(5).servers());
        assertEquals(List.of(), ProxyPeer.kindsIn(s), "direct needs no peer binary");
        assertEquals(List.of(), Bench.missingPeers(s));
    }

    @Test
    void theForwardProxiesAloneSelectWrkAtAHundredAndAThousandAndTheTunnelWithDirectOnly() {
        BenchOptions o = BenchOptions.parse(new String[] {"--no-jmh", "--servers", "weft-fwd,squid,tinyproxy,direct",
                "--reps", "1"});
        List<Scenario> s = o.scenarios(true);
        assertEquals(List.of("forward wrk 100", "forward wrk 1000", "forward tunnel"),
                s.stream().map(Scenario::name).toList(), "direct does not drag in the reverse-proxy scenario");
        List<ServerKind> proxies = List.of(ServerKind.WEFT_FWD, ServerKind.SQUID, ServerKind.TINYPROXY,
                ServerKind.DIRECT);
        for (Scenario x : s) {
            assertEquals(Protocol.FORWARD, x.protocol());
            assertEquals(proxies, x.servers());
        }
        assertEquals(Scenario.Tool.TUNNEL, s.get(2).tool());
        assertEquals(1, s.get(2).connections(), "one upload at a time");
        assertEquals(List.of(ServerKind.SQUID, ServerKind.TINYPROXY, ServerKind.DIRECT, ServerKind.WEFT_FWD),
                s.get(2).serversIn(2), "they alternate like every other server");
        assertEquals(List.of(ServerKind.SQUID, ServerKind.TINYPROXY), ProxyPeer.kindsIn(s));
        assertEquals(List.of("forward tunnel"), o.scenarios(false).stream().map(Scenario::name).toList());
        // The reverse proxies with direct leave the forward scenario out, and the other way round.
        assertEquals(List.of("proxy wrk 100", "proxy wrk 1000"), BenchOptions.parse(new String[] {"--servers",
                "weft-proxy,direct"}).scenarios(true).stream().map(Scenario::name).toList());
        assertEquals(List.of(ServerKind.SQUID), BenchOptions.parse(new String[] {"--servers", "squid"})
                .scenarios(true).get(0).servers(), "a peer alone, without direct");
    }

    @Test
    void theTcpProxiesAloneSelectTheLoadClientThroughEachAtOneAHundredAndAThousand() {
        BenchOptions o = BenchOptions.parse(new String[] {"--no-jmh", "--servers", "weft-tcp-proxy,haproxy-tcp,direct"});
        List<Scenario> s = o.scenarios(true);
        assertEquals(List.of("tcp-proxy closed 1", "tcp-proxy closed 100", "tcp-proxy closed 1000"),
                s.stream().map(Scenario::name).toList(), "direct drags in neither the reverse nor the forward proxy");
        assertEquals(List.of(1, 100, 1_000), o.tcpProxyConnections());
        assertEquals(List.of(100, 1_000), o.proxyConnections(), "the wrk counts are the other proxies' own");
        assertEquals(s, o.scenarios(false), "no wrk needed");
        assertEquals(List.of(ServerKind.HAPROXY_TCP, ServerKind.DIRECT, ServerKind.WEFT_TCP_PROXY),
                s.get(2).serversIn(2), "they alternate like every other server");
        assertEquals(List.of(ServerKind.HAPROXY_TCP), ProxyPeer.kindsIn(s));
        // HAProxy is no forward peer: a missing one stops the run (missingPeers) rather than being left out.
        List<String> skipped = new java.util.ArrayList<>();
        assertEquals(s, Bench.withoutMissingForwardPeers(s, skipped, p -> false));
        assertEquals(List.of(), skipped);
        // The other proxies with direct leave the TCP proxy out.
        assertTrue(BenchOptions.parse(new String[] {"--servers", "weft-proxy,weft-fwd,direct"}).scenarios(true).stream()
                .noneMatch(x -> x.protocol() == Protocol.TCP_PROXY));
        List<Scenario> counts = BenchOptions.parse(new String[] {"--servers", "haproxy-tcp", "--tcp-proxy-connections",
                "1,2000"}).scenarios(true);
        assertEquals(List.of("tcp-proxy closed 1", "tcp-proxy closed 2000"), counts.stream().map(Scenario::name).toList());
        assertEquals(List.of(ServerKind.HAPROXY_TCP), counts.get(0).servers(), "a peer alone, without direct");
    }

    @Test
    void aMissingSquidOrTinyproxyIsLeftOutWithOneSentenceWhileAMissingNginxStopsTheRun() {
        List<Scenario> all = BenchOptions.parse(new String[] {"--servers",
                "weft-proxy,nginx-proxy,weft-fwd,squid,tinyproxy,direct"}).scenarios(true);
        List<String> skipped = new java.util.ArrayList<>();
        List<Scenario> left = Bench.withoutMissingForwardPeers(all, skipped, p -> !(p instanceof TinyproxyPeer));
        assertEquals(List.of("tinyproxy needs /usr/bin/tinyproxy, which is not installed: ./weft bench installs the"
                + " Debian package tinyproxy (apt-get install tinyproxy). The forward-proxy scenario runs without it."),
                skipped);
        assertEquals(all.size(), left.size());
        for (Scenario x : left) {
            assertFalse(x.servers().contains(ServerKind.TINYPROXY), x.name());
            assertTrue(x.servers().contains(ServerKind.DIRECT), x.name());
        }
        assertEquals(List.of(ServerKind.WEFT_FWD, ServerKind.SQUID, ServerKind.DIRECT), left.get(4).servers());
        assertEquals(List.of(ServerKind.WEFT_PROXY, ServerKind.NGINX_PROXY, ServerKind.DIRECT), left.get(0).servers(),
                "the reverse proxies are not this method's: a missing nginx stops the run (missingPeers)");
        List<String> none = new java.util.ArrayList<>();
        assertEquals(all, Bench.withoutMissingForwardPeers(all, none, p -> true));
        assertEquals(List.of(), none);
        // A scenario left with no server is left out.
        List<Scenario> squidOnly = BenchOptions.parse(new String[] {"--servers", "squid"}).scenarios(true);
        assertEquals(List.of(), Bench.withoutMissingForwardPeers(squidOnly, new java.util.ArrayList<>(), p -> false));
    }

    @Test
    void aQuickRunHasEveryProxyScenarioAtFiftyConnections() {
        BenchOptions o = BenchOptions.parse(new String[] {"--quick"});
        List<Scenario> proxy = o.scenarios(true).stream().filter(x -> x.protocol() == Protocol.PROXY).toList();
        assertEquals(1, proxy.size());
        assertEquals(50, proxy.get(0).connections());
        assertEquals(4, proxy.get(0).servers().size());
        assertEquals(1, o.repetitions());
        List<String> forward = o.scenarios(true).stream().filter(x -> x.protocol() == Protocol.FORWARD)
                .map(Scenario::name).toList();
        assertEquals(List.of("forward wrk 50", "forward tunnel"), forward);
        List<Scenario> tcp = o.scenarios(true).stream().filter(x -> x.protocol() == Protocol.TCP_PROXY).toList();
        assertEquals(List.of("tcp-proxy closed 50"), tcp.stream().map(Scenario::name).toList());
        assertEquals(List.of(ServerKind.WEFT_TCP_PROXY, ServerKind.HAPROXY_TCP, ServerKind.DIRECT), tcp.get(0).servers());
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
        String tcp = assertThrows(Args.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--tcp-proxy-connections", "1,8001"})).getMessage();
        assertTrue(tcp.contains("--tcp-proxy-connections must be 1..8000") && tcp.contains("8001")
                && tcp.contains("maxconn"), tcp);
        assertTrue(assertThrows(Args.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--tcp-proxy-connections", "0"})).getMessage().contains("0"));
        assertTrue(assertThrows(Args.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--tcp-proxy-connections", "1;100"})).getMessage()
                .contains("--tcp-proxy-connections takes numbers"));
        assertEquals(List.of(8_000), BenchOptions.parse(new String[] {"--tcp-proxy-connections", "8000"})
                .tcpProxyConnections());
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
