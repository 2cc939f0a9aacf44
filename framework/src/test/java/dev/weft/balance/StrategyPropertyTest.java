package dev.weft.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.client.Endpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Seeded random walks over every strategy: thousands of picks, closes, failed requests, health
 * check verdicts and clock moves on a fake clock, with the invariants checked after each step. A
 * failure names the strategy, the seed and the step, and replays exactly.
 */
class StrategyPropertyTest {

    private static final long SEED = 0x15_2026L;
    private static final int STEPS = 5_000;

    private static final Upstream A = Upstream.of("10.0.0.1:80");
    private static final Upstream B = Upstream.of("10.0.0.2:80").withWeight(2).withMaxConns(3);
    private static final Upstream C = Upstream.of("10.0.0.3:80").withWeight(3).withMaxFails(2, Duration.ofSeconds(5));
    private static final Upstream D = Upstream.of("10.0.0.4:80").withDown(true);
    private static final Upstream E = Upstream.of("10.0.0.8:80").withBackup(true).withMaxConns(2);
    private static final Upstream F = Upstream.of("10.0.0.9:80").withBackup(true).withWeight(2);
    private static final List<Upstream> ALL = List.of(A, B, C, D, E, F);

    private record Open(Pick pick, Upstream upstream) {
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void randomStepsKeepEveryInvariant(Strategy strategy) throws Exception {
        long seed = SEED + strategy.ordinal();
        Random r = new Random(seed);
        AtomicLong now = new AtomicLong(1_000_000_000L);
        UpstreamGroup.Builder b = UpstreamGroup.builder("walk").strategy(strategy).clock(now::get)
                .random(new SplittableRandom(seed)).meterRegistry(new SimpleMeterRegistry());
        ALL.forEach(b::add);
        List<Open> open = new ArrayList<>();
        Map<Endpoint, Long> picks = new HashMap<>();
        Map<Endpoint, Long> failures = new HashMap<>();
        Set<Endpoint> unhealthy = new HashSet<>();
        int[] outcomes = new int[3]; // picked a primary, picked a backup, no live upstream
        try (UpstreamGroup g = b.build()) {
            for (int step = 0; step < STEPS; step++) {
                String where = strategy + ", seed " + seed + ", step " + step;
                int action = r.nextInt(100);
                if (action < 45) {
                    InetAddress client = InetAddress.getByAddress(new byte[] {10, (byte) r.nextInt(4), (byte) r.nextInt(64), 7});
                    String key = r.nextInt(10) == 0 ? null : "/k/" + r.nextInt(300);
                    List<Upstream> tried = new ArrayList<>();
                    if (r.nextInt(6) == 0) {
                        tried.add(ALL.get(r.nextInt(ALL.size())));
                        if (r.nextBoolean()) {
                            tried.add(ALL.get(r.nextInt(ALL.size())));
                        }
                    }
                    pickStep(g, client, key, tried, where, open, picks, unhealthy, outcomes);
                } else if (action < 70 && !open.isEmpty()) {
                    open.remove(r.nextInt(open.size())).pick().close();
                } else if (action < 80 && !open.isEmpty()) {
                    Open o = open.remove(r.nextInt(open.size()));
                    o.pick().markFailed();
                    o.pick().close();
                    failures.merge(o.upstream().endpoint(), 1L, Long::sum);
                } else if (action < 88) {
                    Upstream u = ALL.get(r.nextInt(ALL.size()));
                    boolean up = r.nextInt(3) > 0;
                    g.peer(u).checked(up, now.get()); // what the health checker does at rise or fall
                    if (up) {
                        unhealthy.remove(u.endpoint());
                    } else {
                        unhealthy.add(u.endpoint());
                    }
                } else {
                    now.addAndGet(Duration.ofMillis(r.nextInt(4_000)).toNanos());
                }
                checkInvariants(g, where, open, picks, failures, unhealthy);
            }
            open.forEach(o -> o.pick().close());
            for (Upstream u : ALL) {
                assertEquals(0, g.inFlight(u), strategy + ": every pick closed");
            }
        }
        assertTrue(outcomes[0] > STEPS / 10 && outcomes[1] > 0 && outcomes[2] > 0,
                strategy + ": the walk went through primaries, backups and no live upstream: " + List.of(outcomes[0],
                        outcomes[1], outcomes[2]));
    }

    private static void pickStep(UpstreamGroup g, InetAddress client, String key, List<Upstream> tried, String where,
            List<Open> open, Map<Endpoint, Long> picks, Set<Endpoint> unhealthy,
            int[] outcomes) {
        Set<Upstream> primaries = new HashSet<>();
        Set<Upstream> backups = new HashSet<>();
        boolean someFull = false;
        for (Upstream u : ALL) {
            boolean available = g.isAvailable(u);
            if (available && (u.down() || unhealthy.contains(u.endpoint()))) {
                fail(where + ": " + u + " is available though down or failing its checks");
            }
            boolean notTried = tried.stream().noneMatch(t -> t.endpoint().equals(u.endpoint()));
            boolean room = u.maxConns() == 0 || g.inFlight(u) < u.maxConns();
            if (available && notTried && room) {
                (u.backup() ? backups : primaries).add(u);
            }
            someFull |= available && notTried && !room;
        }
        try {
            Pick pick = g.pick(client, key, tried);
            Upstream chosen = pick.upstream();
            open.add(new Open(pick, chosen));
            picks.merge(chosen.endpoint(), 1L, Long::sum);
            if (chosen.backup()) {
                assertTrue(primaries.isEmpty(), where + ": backup " + chosen + " picked while " + primaries + " could serve");
                assertTrue(backups.contains(chosen), where + ": " + chosen + " may not take a request; could: " + backups);
                outcomes[1]++;
            } else {
                assertTrue(primaries.contains(chosen), where + ": " + chosen + " may not take a request; could: " + primaries);
                outcomes[0]++;
            }
        } catch (NoLiveUpstreamException e) {
            assertTrue(primaries.isEmpty() && backups.isEmpty(), where + ": no live upstream though "
                    + primaries + " " + backups + " could serve");
            assertEquals(someFull, e.getMessage().endsWith("all servers in service are at max_conns"), where + ": "
                    + e.getMessage());
            outcomes[2]++;
        }
    }

    private static void checkInvariants(UpstreamGroup g, String where, List<Open> open, Map<Endpoint, Long> picks,
            Map<Endpoint, Long> failures, Set<Endpoint> unhealthy) {
        List<UpstreamStatus> status = g.status();
        for (int i = 0; i < ALL.size(); i++) {
            Upstream u = ALL.get(i);
            long openOnIt = open.stream().filter(o -> o.upstream().endpoint().equals(u.endpoint())).count();
            assertEquals(openOnIt, g.inFlight(u), where + ": in flight on " + u + " is the picks open on it");
            if (u.maxConns() > 0) {
                assertTrue(g.inFlight(u) <= u.maxConns(), where + ": max_conns of " + u + " exceeded");
            }
            UpstreamStatus s = status.get(i);
            assertEquals(u, s.upstream());
            assertEquals(openOnIt, s.inFlight(), where);
            assertEquals(picks.getOrDefault(u.endpoint(), 0L), s.picks(), where + ": picks of " + u);
            assertEquals(failures.getOrDefault(u.endpoint(), 0L), s.requestFailures(), where + ": failures of " + u);
            if (u.down()) {
                assertEquals(UpstreamStatus.State.DOWN, s.state(), where);
            } else if (unhealthy.contains(u.endpoint())) {
                assertEquals(UpstreamStatus.State.UNHEALTHY, s.state(), where);
            } else {
                assertFalse(s.state() == UpstreamStatus.State.UNHEALTHY || s.state() == UpstreamStatus.State.DOWN, where);
                assertEquals(g.isAvailable(u), s.inService(), where + ": the status agrees with isAvailable for " + u);
            }
        }
    }
}
