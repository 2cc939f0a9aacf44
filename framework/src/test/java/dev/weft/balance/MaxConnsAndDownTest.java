package dev.weft.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The server parameters {@code max_conns} and {@code down}, under every strategy. */
class MaxConnsAndDownTest {

    private static final Upstream A = Upstream.of("127.0.0.1:9001");
    private static final Upstream B = Upstream.of("127.0.0.1:9002");
    private static final Upstream C = Upstream.of("127.0.0.1:9003");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private UpstreamGroup group(Strategy strategy, Upstream... upstreams) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("limits-" + strategy).strategy(strategy).meterRegistry(registry)
                .random(new java.util.SplittableRandom(7));
        for (Upstream u : upstreams) {
            b.add(u);
        }
        return b.build();
    }

    private static Pick pick(UpstreamGroup g, int i) throws Exception {
        return g.pick(InetAddress.getByAddress(new byte[] {10, 0, (byte) i, 1}), "key-" + i, List.of());
    }

    @Test
    void aServerAtItsMaxConnsIsSkippedUntilAPickCloses() throws Exception {
        for (Strategy s : Strategy.values()) {
            Upstream small = A.withMaxConns(2);
            try (UpstreamGroup g = group(s, small, B.withMaxConns(100))) {
                List<Pick> open = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    open.add(pick(g, i));
                    assertTrue(g.inFlight(small) <= 2, s + ": max_conns 2 never exceeded");
                }
                assertEquals(2, g.inFlight(small), s + ": 40 picks fill the small one");
                Pick onSmall = open.stream().filter(p -> p.upstream().equals(small)).findFirst().orElseThrow();
                onSmall.close();
                assertEquals(1, g.inFlight(small));
                open.forEach(Pick::close);
                assertEquals(0, g.inFlight(small) + g.inFlight(B));
            }
        }
    }

    @Test
    void withEveryServerAtItsMaxConnsPickFailsAtOnceSayingSo() throws Exception {
        try (UpstreamGroup g = group(Strategy.ROUND_ROBIN, A.withMaxConns(1), B.withMaxConns(1))) {
            Pick first = g.pick();
            Pick second = g.pick();
            NoLiveUpstreamException e = assertThrows(NoLiveUpstreamException.class, g::pick);
            assertEquals("no live upstreams in group limits-ROUND_ROBIN: all servers in service are at max_conns",
                    e.getMessage());
            assertEquals("no live upstreams in group limits-ROUND_ROBIN",
                    assertThrows(NoLiveUpstreamException.class, () -> g.pick(null, List.of(A, B))).getMessage(),
                    "tried, not full: the plain message");
            first.close();
            try (Pick third = g.pick()) {
                assertEquals(first.upstream(), third.upstream());
            }
            second.close();
            assertEquals(0.0, registry.get("weft.upstream.failures").tag("kind", "request").counters().stream()
                    .mapToDouble(c -> c.count()).sum(), "a full server is not a failed one");
        }
    }

    @Test
    void backupsTakeTheOverflowWhenEveryPrimaryIsFull() throws Exception {
        Upstream spare = C.withBackup(true);
        try (UpstreamGroup g = group(Strategy.LEAST_CONNECTIONS, A.withMaxConns(1), B.withMaxConns(1), spare)) {
            Pick a = g.pick();
            Pick b = g.pick();
            try (Pick overflow = g.pick()) {
                assertEquals(spare, overflow.upstream(), "nginx tries the backups when no primary can take it");
            }
            a.close();
            try (Pick back = g.pick()) {
                assertEquals(A, back.upstream().withMaxConns(0));
            }
            b.close();
        }
    }

    @Test
    void aDownServerIsNeverPickedNorCountedAvailable() throws Exception {
        for (Strategy s : Strategy.values()) {
            Upstream off = B.withDown(true).withWeight(10);
            try (UpstreamGroup g = group(s, A, off, C)) {
                assertFalse(g.isAvailable(off));
                for (int i = 0; i < 200; i++) {
                    try (Pick pick = pick(g, i)) {
                        assertFalse(pick.upstream().down(), s + " picked a down server");
                    }
                }
                assertEquals(0, g.status().get(1).picks());
                assertEquals(UpstreamStatus.State.DOWN, g.status().get(1).state());
                assertEquals(0.0, registry.get("weft.upstream.available").tag("upstream", g.name())
                        .tag("server", off.toString()).gauge().value());
            }
        }
    }

    @Test
    void aGroupWhoseEveryPrimaryIsDownServesFromBackupsOrSaysNoLiveUpstreams() throws Exception {
        try (UpstreamGroup g = group(Strategy.ROUND_ROBIN, A.withDown(true), C.withBackup(true))) {
            try (Pick pick = g.pick()) {
                assertEquals(C.withBackup(true), pick.upstream());
            }
        }
        try (UpstreamGroup g = group(Strategy.HASH, A.withDown(true), B.withDown(true))) {
            assertEquals("no live upstreams in group limits-HASH",
                    assertThrows(NoLiveUpstreamException.class, () -> g.pick(null, "k", Set.of())).getMessage());
        }
    }
    @Test
    void maxConnsHoldsUnderConcurrentPicks() throws Exception {
        Upstream a = A.withMaxConns(3);
        Upstream b = B.withMaxConns(2);
        try (UpstreamGroup g = group(Strategy.RANDOM_TWO, a, b)) {
            java.util.concurrent.atomic.AtomicInteger over = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        try (Pick pick = g.pick()) {
                            served.incrementAndGet();
                            if (g.inFlight(a) > 3 || g.inFlight(b) > 2) {
                                over.incrementAndGet();
                            }
                        } catch (NoLiveUpstreamException e) {
                            refused.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(30));
                assertFalse(t.isAlive());
            }
            assertEquals(0, over.get(), "max_conns exceeded");
            assertEquals(16_000, served.get() + refused.get());
            assertEquals(0, g.inFlight(a) + g.inFlight(b));
            assertEquals(served.get(), g.status().stream().mapToLong(UpstreamStatus::picks).sum());
        }
    }
}
