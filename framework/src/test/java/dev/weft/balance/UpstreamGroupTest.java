package dev.weft.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Choosing servers: the strategies, failed requests, backups and retries (no I/O: picks only). */
class UpstreamGroupTest {

    private static final Upstream A = Upstream.of("127.0.0.1:9001");
    private static final Upstream B = Upstream.of("127.0.0.1:9002");
    private static final Upstream C = Upstream.of("127.0.0.1:9003");

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private UpstreamGroup.Builder group(Upstream... upstreams) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("test").meterRegistry(registry).clock(now::get);
        for (Upstream u : upstreams) {
            b.add(u);
        }
        return b;
    }

    private static Upstream pickAndClose(UpstreamGroup g, InetAddress client) throws Exception {
        try (Pick pick = g.pick(client)) {
            return pick.upstream();
        }
    }

    private static void fail(UpstreamGroup g, Upstream target) throws Exception {
        finish(g, target, true);
    }

    /** Picks until {@code target} comes up, then ends that request as failed or not. */
    private static void finish(UpstreamGroup g, Upstream target, boolean failed) throws Exception {
        try (Pick pick = openPick(g, target)) {
            if (failed) {
                pick.markFailed();
            }
        }
    }

    /** Picks (and closes) until {@code target} comes up, and returns that pick open. */
    private static Pick openPick(UpstreamGroup g, Upstream target) throws Exception {
        for (int i = 0; i < 100; i++) {
            Pick pick = g.pick();
            if (pick.upstream().equals(target)) {
                return pick;
            }
            pick.close();
        }
        throw new AssertionError(target + " was never picked");
    }

    @Test
    void roundRobinIsSmoothAndWeighted() throws Exception {
        try (UpstreamGroup g = group(A.withWeight(5), B, C).build()) {
            List<Upstream> order = new ArrayList<>();
            for (int i = 0; i < 14; i++) {
                order.add(pickAndClose(g, null));
            }
            Upstream a = A.withWeight(5);
            // nginx's documented sequence for weights 5, 1, 1, twice over.
            assertEquals(List.of(a, a, B, a, C, a, a, a, a, B, a, C, a, a), order);
            assertTrue(g.isAvailable(A), "servers are found by endpoint, whatever their weight");
        }
    }

    @Test
    void leastConnectionsGoesToTheFewestInFlightPerWeight() throws Exception {
        Upstream heavy = A.withWeight(3);
        try (UpstreamGroup g = group(heavy, B).strategy(Strategy.LEAST_CONNECTIONS).build()) {
            List<Pick> open = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                open.add(g.pick(null));
            }
            // 4 in flight at weights 3 and 1: 3 on the heavy one, 1 on the other.
            assertEquals(3, g.inFlight(heavy));
            assertEquals(1, g.inFlight(B));
            Pick onB = open.stream().filter(p -> p.upstream().equals(B)).findFirst().orElseThrow();
            onB.close();
            onB.close(); // twice: counted once
            assertEquals(0, g.inFlight(B));
            assertEquals(B, pickAndClose(g, null), "3/3 on the heavy one against 0/1");
            open.forEach(Pick::close);
            assertEquals(0, g.inFlight(heavy));
        }
    }

    @Test
    void ipHashKeepsAClientAndItsSlash24OnOneServer() throws Exception {
        try (UpstreamGroup g = group(A, B, C).strategy(Strategy.IP_HASH).build()) {
            InetAddress client = InetAddress.getByName("10.1.2.3");
            Upstream first = pickAndClose(g, client);
            assertEquals(B, first, "nginx's hash of 10.1.2 is 2680, and 2680 % 3 = 1");
            for (int i = 0; i < 20; i++) {
                assertEquals(first, pickAndClose(g, client));
            }
            assertEquals(first, pickAndClose(g, InetAddress.getByName("10.1.2.200")), "same /24");

            Map<Upstream, Integer> spread = new HashMap<>();
            for (int i = 0; i < 256; i++) {
                spread.merge(pickAndClose(g, InetAddress.getByName("10.1." + i + ".7")), 1, Integer::sum);
            }
            assertEquals(Set.of(A, B, C), spread.keySet(), "256 networks use every server: " + spread);

            InetAddress v6 = InetAddress.getByName("2001:db8::1");
            assertEquals(pickAndClose(g, v6), pickAndClose(g, v6));
        }
    }

    @Test
    void ipHashMovesAClientOnlyWhileItsServerIsOut() throws Exception {
        try (UpstreamGroup g = group(A, B, C).strategy(Strategy.IP_HASH).build()) {
            InetAddress client = InetAddress.getByName("192.0.2.10");
            Upstream home = pickAndClose(g, client);
            try (Pick pick = g.pick(client)) {
                pick.markFailed(); // max_fails 1: out for 10 s
            }
            assertFalse(g.isAvailable(home));
            Upstream elsewhere = pickAndClose(g, client);
            assertNotEquals(home, elsewhere);
            assertEquals(elsewhere, pickAndClose(g, client), "rehashing is deterministic too");
            now.addAndGet(Duration.ofSeconds(11).toNanos());
            assertEquals(home, pickAndClose(g, client));
        }
    }

    @Test
    void ipHashWithoutAClientAddressGoesRoundRobin() throws Exception {
        try (UpstreamGroup g = group(A, B).strategy(Strategy.IP_HASH).build()) {
            assertEquals(List.of(A, B, A, B),
                    List.of(pickAndClose(g, null), pickAndClose(g, null), pickAndClose(g, null), pickAndClose(g, null)));
        }
    }

    @Test
    void maxFailsWithinFailTimeoutTakesAServerOutForFailTimeout() throws Exception {
        Upstream flaky = A.withMaxFails(2, Duration.ofSeconds(10));
        try (UpstreamGroup g = group(flaky, B).build()) {
            fail(g, flaky);
            assertTrue(g.isAvailable(flaky), "one failure of two");
            fail(g, flaky);
            assertFalse(g.isAvailable(flaky));
            for (int i = 0; i < 5; i++) {
                assertEquals(B, pickAndClose(g, null));
            }
            assertEquals(0.0, registry.get("weft.upstream.available").tag("server", "127.0.0.1:9001").gauge().value());
            assertEquals(2.0, registry.get("weft.upstream.failures").tag("server", "127.0.0.1:9001")
                    .tag("kind", "request").counter().count());

            now.addAndGet(Duration.ofSeconds(10).toNanos() + 1);
            assertTrue(g.isAvailable(flaky), "back after fail_timeout");
            try (Pick trial = openPick(g, flaky)) {
                assertFalse(g.isAvailable(flaky), "one trial request, and no other while it runs");
                for (int i = 0; i < 3; i++) {
                    assertEquals(B, pickAndClose(g, null));
                }
                trial.markFailed();
            }
            assertFalse(g.isAvailable(flaky), "the trial request failed: out again at once");

            now.addAndGet(Duration.ofSeconds(10).toNanos() + 1);
            finish(g, flaky, false);
            fail(g, flaky);
            assertTrue(g.isAvailable(flaky), "a success forgave the earlier failures");
        }
    }

    @Test
    void aSuccessOfARequestPickedBeforeAFailureForgivesNothing() throws Exception {
        Upstream flaky = A.withMaxFails(2, Duration.ofSeconds(10));
        try (UpstreamGroup g = group(flaky, B).build()) {
            Pick longRunning = openPick(g, flaky);
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            fail(g, flaky);
            longRunning.close(); // went well, but it was picked before the failure
            fail(g, flaky);
            assertFalse(g.isAvailable(flaky), "two failures within 10 s");
        }
    }

    @Test
    void failuresFurtherApartThanFailTimeoutDoNotAddUp() throws Exception {
        Upstream flaky = A.withMaxFails(2, Duration.ofSeconds(10));
        try (UpstreamGroup g = group(flaky, B).build()) {
            fail(g, flaky);
            now.addAndGet(Duration.ofSeconds(11).toNanos());
            fail(g, flaky);
            assertTrue(g.isAvailable(flaky));
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            fail(g, flaky);
            assertFalse(g.isAvailable(flaky));
        }
    }

    @Test
    void maxFailsZeroNeverTakesAServerOut() throws Exception {
        Upstream tolerant = A.withMaxFails(0, Duration.ofSeconds(10));
        try (UpstreamGroup g = group(tolerant, B).build()) {
            for (int i = 0; i < 5; i++) {
                fail(g, tolerant);
            }
            assertTrue(g.isAvailable(tolerant));
        }
    }

    @Test
    void aSingleServerIsNeverTakenOutForFailedRequests() throws Exception {
        try (UpstreamGroup g = group(A).build()) {
            for (int i = 0; i < 3; i++) {
                fail(g, A);
            }
            assertTrue(g.isAvailable(A));
            assertEquals(A, pickAndClose(g, null));
        }
    }

    @Test
    void backupsServeOnlyWhileEveryPrimaryIsOut() throws Exception {
        Upstream spare = C.withBackup(true);
        try (UpstreamGroup g = group(A, B, spare).build()) {
            Set<Upstream> seen = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                seen.add(pickAndClose(g, null));
            }
            assertEquals(Set.of(A, B), seen);
            fail(g, A);
            fail(g, B);
            assertEquals(spare, pickAndClose(g, null));
            now.addAndGet(Duration.ofSeconds(11).toNanos());
            assertNotEquals(spare, pickAndClose(g, null));
        }
    }

    @Test
    void withEveryServerOutPickSaysNoLiveUpstreams() throws Exception {
        try (UpstreamGroup g = group(A, B).build()) {
            fail(g, A);
            fail(g, B);
            NoLiveUpstreamException e = assertThrows(NoLiveUpstreamException.class, () -> g.pick(null));
            assertEquals("no live upstreams in group test", e.getMessage());
            assertEquals(0, g.inFlight(A) + g.inFlight(B));
        }
    }

    @Test
    void aRetryGoesToAServerNotTriedYet() throws Exception {
        try (UpstreamGroup g = group(A, B, C).strategy(Strategy.IP_HASH).build()) {
            InetAddress client = InetAddress.getByName("198.51.100.4");
            List<Upstream> tried = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                try (Pick pick = g.pick(client, tried)) {
                    assertFalse(tried.contains(pick.upstream()));
                    tried.add(pick.upstream());
                }
            }
            assertEquals(Set.of(A, B, C), new HashSet<>(tried));
            assertThrows(NoLiveUpstreamException.class, () -> g.pick(client, tried));
        }
    }

    @Test
    void closingRemovesTheMetersAndRefusesFurtherPicks() {
        UpstreamGroup g = group(A, B).build();
        assertEquals(2, registry.find("weft.upstream.available").gauges().size());
        assertEquals("an upstream group named test is already registered in this meter registry: close it before"
                + " building its replacement, or give this one another name",
                assertThrows(IllegalStateException.class, () -> group(A).build()).getMessage());
        g.close();
        assertEquals(0, registry.find("weft.upstream.available").gauges().size());
        assertEquals(0, registry.find("weft.upstream.failures").counters().size());
        assertEquals("upstream group test is closed", assertThrows(IllegalStateException.class, g::pick).getMessage());
        group(A).build().close(); // the name is free again
    }

    @Test
    void theDefaultsArePinned() {
        assertEquals(new Upstream(A.endpoint(), 1, 1, Duration.ofSeconds(10), false), Upstream.of("127.0.0.1:9001"));
        assertEquals(new Upstream(A.endpoint(), 1, 1, Duration.ofSeconds(10), false, false, 0), Upstream.of("127.0.0.1:9001"));
        assertEquals(new HealthCheck(Duration.ofSeconds(5), 2, 3, Duration.ofSeconds(1), null), HealthCheck.tcp());
        assertEquals(new HealthCheck(Duration.ofSeconds(5), 2, 3, Duration.ofSeconds(1), null, Set.of(2, 3), null),
                HealthCheck.tcp());
        assertEquals("/health", HealthCheck.http("/health").httpPath());
        assertEquals(Set.of(2, 3), HealthCheck.http("/health").expectedStatus());
        assertEquals("GET /health HTTP/1.1\r\nHost: 10.0.0.1:80\r\nUser-Agent: weft-health-check\r\nConnection: close\r\n\r\n",
                new String(HealthCheck.http("/health").request("10.0.0.1:80"), java.nio.charset.StandardCharsets.US_ASCII));
        try (UpstreamGroup g = group(A).build()) {
            assertEquals(Strategy.ROUND_ROBIN, g.strategy());
        }
    }

    @Test
    void badConfigurationIsRefusedWithTheReason() {
        assertEquals("weight must be 1..1000, was 0",
                assertThrows(IllegalArgumentException.class, () -> A.withWeight(0)).getMessage());
        assertEquals("127.0.0.1:9001 is in group test twice",
                assertThrows(IllegalArgumentException.class, () -> group(A, A.withWeight(2))).getMessage());
        assertEquals("group test needs at least one server that is not a backup",
                assertThrows(IllegalArgumentException.class, () -> group(A.withBackup(true)).build()).getMessage());
        assertEquals("expected host:port, was nohost",
                assertThrows(IllegalArgumentException.class, () -> Upstream.of("nohost")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> HealthCheck.http("health"));
        assertThrows(IllegalArgumentException.class, () -> HealthCheck.tcp().withFall(0));
        assertEquals("maxConns must be 0 (no limit) or more, was -1",
                assertThrows(IllegalArgumentException.class, () -> A.withMaxConns(-1)).getMessage());
        assertEquals("expectedStatus must be status classes 1..5 (2 for 2xx), was [6]",
                assertThrows(IllegalArgumentException.class, () -> HealthCheck.http("/").withExpectedStatus(Set.of(6)))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> HealthCheck.http("/").withExpectedStatus(Set.of()));
        assertEquals("httpSend must end with an empty line (CRLF CRLF)", assertThrows(IllegalArgumentException.class,
                () -> HealthCheck.tcp().withHttpSend("GET / HTTP/1.0\r\n")).getMessage());
        assertEquals("httpSend must be printable ASCII in lines ending with CRLF, has 0x0a at 14",
                assertThrows(IllegalArgumentException.class,
                        () -> HealthCheck.tcp().withHttpSend("GET / HTTP/1.0\n\r\n\r\n")).getMessage());
        assertEquals("httpSend must start with a request line like GET / HTTP/1.1, was GET /",
                assertThrows(IllegalArgumentException.class,
                        () -> HealthCheck.tcp().withHttpSend("GET /\r\n\r\n")).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> HealthCheck.tcp().withHttpSend("GET / HTTP/1.0\r\nX: " + "x".repeat(5000) + "\r\n\r\n"));
        try (UpstreamGroup g = group(A).build()) {
            assertThrows(IllegalArgumentException.class, () -> g.isAvailable(B));
        }
    }
}
