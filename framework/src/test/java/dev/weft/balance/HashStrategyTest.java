package dev.weft.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@code hash KEY} and {@code hash KEY consistent}: where keys go, and which keys move when servers change. */
class HashStrategyTest {

    private static final int KEYS = 10_000;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private UpstreamGroup group(Strategy strategy, List<Upstream> upstreams) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("hashed").strategy(strategy).clock(now::get)
                .meterRegistry(new SimpleMeterRegistry());
        upstreams.forEach(b::add);
        return b.build();
    }

    private static List<Upstream> servers(int count) {
        List<Upstream> list = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            list.add(Upstream.of("10.0.0." + i + ":8080"));
        }
        return list;
    }

    private static Upstream pick(UpstreamGroup g, String key, List<Upstream> tried) throws Exception {
        try (Pick pick = g.pick(null, key, tried)) {
            return pick.upstream();
        }
    }

    /** Where each of the keys goes, by endpoint text. */
    private static Map<String, String> map(UpstreamGroup g) throws Exception {
        Map<String, String> where = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            String key = "/objects/" + i;
            where.put(key, pick(g, key, List.of()).toString());
        }
        return where;
    }

    /** Takes {@code target} out for failed requests (max_fails 1): the one pick that can only go to it fails. */
    private static void takeOut(UpstreamGroup g, Upstream target) throws Exception {
        List<Upstream> others = g.upstreams().stream().filter(u -> !u.endpoint().equals(target.endpoint())).toList();
        try (Pick pick = g.pick(null, null, others)) {
            assertEquals(target, pick.upstream());
            pick.markFailed();
        }
        assertFalse(g.isAvailable(target));
    }

    private static List<String> moved(Map<String, String> before, Map<String, String> after) {
        return before.keySet().stream().filter(k -> !before.get(k).equals(after.get(k))).sorted().toList();
    }

    @Test
    void picksForAFixedServerListArePinned() throws Exception {
        List<Upstream> list = List.of(Upstream.of("10.0.0.1:8080"), Upstream.of("10.0.0.2:8080").withWeight(2),
                Upstream.of("10.0.0.3:8080"), Upstream.of("backend.example:80"));
        Map<String, String> plain = new HashMap<>();
        Map<String, String> ring = new HashMap<>();
        try (UpstreamGroup hash = group(Strategy.HASH, list)) {
            for (String key : List.of("alice", "bob", "/index.html", "/img/logo.png", "session=42", "10.1.2.3")) {
                plain.put(key, pick(hash, key, List.of()).toString());
                assertEquals(plain.get(key), pick(hash, key, List.of()).toString(), "the same key, the same server");
            }
        }
        try (UpstreamGroup consistent = UpstreamGroup.builder("hashed-consistent").strategy(Strategy.CONSISTENT_HASH)
                .meterRegistry(new SimpleMeterRegistry()).add(list.get(0)).add(list.get(1)).add(list.get(2))
                .add(list.get(3)).build()) {
            for (String key : plain.keySet()) {
                ring.put(key, pick(consistent, key, List.of()).toString());
            }
        }
        // Values this implementation gives (NginxHashTest shows nginx agrees on other lists); a change must be deliberate.
        assertEquals(Map.of("alice", "10.0.0.2:8080", "bob", "10.0.0.1:8080", "/index.html", "10.0.0.1:8080",
                "/img/logo.png", "10.0.0.2:8080", "session=42", "10.0.0.2:8080", "10.1.2.3", "10.0.0.3:8080"), plain);
        assertEquals(Map.of("alice", "10.0.0.1:8080", "bob", "10.0.0.3:8080", "/index.html", "10.0.0.1:8080",
                "/img/logo.png", "10.0.0.2:8080", "session=42", "10.0.0.2:8080", "10.1.2.3", "10.0.0.3:8080"), ring);
    }

    @Test
    void theRingHas160PointsPerUnitOfWeight() {
        List<Peer> peers = List.of(new Peer(Upstream.of("10.0.0.1:80"), true),
                new Peer(Upstream.of("10.0.0.2:80").withWeight(2), true), new Peer(Upstream.of("[::1]:80").withWeight(3), true));
        assertEquals(160 * 6, HashRing.of(peers).size());
    }

    @Test
    void consistentHashTakingOneOfFiveServersOutMovesOnlyItsKeysAndTheyComeBack() throws Exception {
        List<Upstream> five = servers(5);
        try (UpstreamGroup g = group(Strategy.CONSISTENT_HASH, five)) {
            Map<String, String> before = map(g);
            Upstream out = five.get(2);
            long onIt = before.values().stream().filter(out.toString()::equals).count();
            assertTrue(onIt > KEYS / 5 * 0.7 && onIt < KEYS / 5 * 1.3, "about 1/5 of the keys on each server: " + onIt);

            takeOut(g, out);
            Map<String, String> during = map(g);
            List<String> moved = moved(before, during);
            assertEquals(onIt, moved.size(), "every key of the server out moved, and no other");
            assertTrue(moved.stream().allMatch(k -> before.get(k).equals(out.toString())));
            assertTrue(during.values().stream().noneMatch(out.toString()::equals));
            assertEquals(4, new HashSet<>(moved.stream().map(during::get).toList()).size(),
                    "its keys spread over the other four, each to the next server along the ring");

            now.addAndGet(Duration.ofSeconds(11).toNanos()); // past fail_timeout
            assertEquals(before, map(g), "back in service: every key back where it was");
        }
    }

    @Test
    void consistentHashAddingAServerMovesAboutItsShareAllOfItToTheNewServer() throws Exception {
        Map<String, String> before;
        try (UpstreamGroup g = group(Strategy.CONSISTENT_HASH, servers(5))) {
            before = map(g);
        }
        try (UpstreamGroup g = group(Strategy.CONSISTENT_HASH, servers(6))) {
            Map<String, String> after = map(g);
            List<String> moved = moved(before, after);
            assertTrue(moved.stream().allMatch(k -> after.get(k).equals("10.0.0.6:8080")), "keys move only to the new server");
            assertTrue(moved.size() > KEYS / 6 * 0.7 && moved.size() < KEYS / 6 * 1.3, "about 1/6 moved: " + moved.size());
        }
    }

    @Test
    void consistentHashAddingWeightMovesKeysToThatServerInProportion() throws Exception {
        List<Upstream> five = servers(5);
        Map<String, String> before;
        try (UpstreamGroup g = group(Strategy.CONSISTENT_HASH, five)) {
            before = map(g);
        }
        List<Upstream> heavier = new ArrayList<>(five);
        heavier.set(0, five.get(0).withWeight(2));
        try (UpstreamGroup g = group(Strategy.CONSISTENT_HASH, heavier)) {
            Map<String, String> after = map(g);
            List<String> moved = moved(before, after);
            assertTrue(moved.stream().allMatch(k -> after.get(k).equals("10.0.0.1:8080")), "keys move only to the heavier one");
            double expected = KEYS * (2.0 / 6 - 1.0 / 5); // its share goes from 1/5 to 2/6
            assertTrue(moved.size() > expected * 0.6 && moved.size() < expected * 1.4,
                    "about " + (int) expected + " moved: " + moved.size());
        }
    }

    @Test
    void aRetryWithTheSameKeyGoesToTheNextServerAlongTheRing() throws Exception {
        List<Upstream> four = servers(4);
        try (UpstreamGroup g = group(Strategy.CONSISTENT_HASH, four)) {
            String key = "/cart/31337";
            List<Upstream> tried = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Upstream next = pick(g, key, tried);
                assertFalse(tried.contains(next));
                assertEquals(next, pick(g, key, tried), "the walk is deterministic");
                tried.add(next);
            }
            assertEquals(Set.copyOf(four), Set.copyOf(tried));
            assertThrows(NoLiveUpstreamException.class, () -> g.pick(null, key, tried));

            takeOut(g, tried.get(0));
            assertEquals(tried.get(1), pick(g, key, List.of()), "a server out sends its keys where a retry goes");
        }
    }

    @Test
    void plainHashTakingAServerOutMovesOnlyItsKeysAndDownKeepsTheOthersInPlace() throws Exception {
        List<Upstream> four = servers(4);
        Map<String, String> before;
        try (UpstreamGroup g = group(Strategy.HASH, four)) {
            before = map(g);
            takeOut(g, four.get(1));
            Map<String, String> during = map(g);
            List<String> moved = moved(before, during);
            assertTrue(moved.stream().allMatch(k -> before.get(k).equals(four.get(1).toString())),
                    "only the keys of the server out were rehashed");
            assertEquals(before.values().stream().filter(four.get(1).toString()::equals).count(), moved.size());
        }
        List<Upstream> oneDown = new ArrayList<>(four);
        oneDown.set(1, four.get(1).withDown(true));
        try (UpstreamGroup g = group(Strategy.HASH, oneDown)) {
            Map<String, String> after = map(g);
            assertTrue(moved(before, after).stream().allMatch(k -> before.get(k).equals(four.get(1).toString())),
                    "a down server keeps its share of the weight, so no other key moves (nginx's advice for down)");
        }
        List<Upstream> three = new ArrayList<>(four);
        three.remove(1);
        try (UpstreamGroup g = group(Strategy.HASH, three)) {
            assertTrue(moved(before, map(g)).size() > KEYS / 2, "removing the line instead reshuffles most keys");
        }
    }

    @Test
    void withoutAKeyTheHashStrategiesGoRoundRobin() throws Exception {
        for (Strategy s : List.of(Strategy.HASH, Strategy.CONSISTENT_HASH)) {
            try (UpstreamGroup g = UpstreamGroup.builder("keyless-" + s).strategy(s).meterRegistry(new SimpleMeterRegistry())
                    .add("10.0.0.1:80").add("10.0.0.2:80").build()) {
                List<String> order = new ArrayList<>();
                for (String key : new String[] {null, "", null, ""}) {
                    order.add(pick(g, key, List.of()).toString());
                }
                assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.0.1:80", "10.0.0.2:80"), order, s.toString());
                try (Pick pick = g.pick(null)) {
                    assertNotEquals(null, pick.upstream(), "pick(client) keeps working");
                }
            }
        }
    }

    @Test
    void backupsServeRoundRobinOnceEveryPrimaryIsOut() throws Exception {
        for (Strategy s : List.of(Strategy.HASH, Strategy.CONSISTENT_HASH)) {
            Upstream a = Upstream.of("10.0.0.1:80");
            Upstream b = Upstream.of("10.0.0.2:80");
            Upstream spareOne = Upstream.of("10.0.0.8:80").withBackup(true);
            Upstream spareTwo = Upstream.of("10.0.0.9:80").withBackup(true);
            try (UpstreamGroup g = group(s, List.of(a, b, spareOne, spareTwo))) {
                takeOut(g, a);
                assertEquals(b, pick(g, "any", List.of()));
                takeOut(g, b);
                assertEquals(List.of(spareOne, spareTwo, spareOne),
                        List.of(pick(g, "any", List.of()), pick(g, "any", List.of()), pick(g, "any", List.of())));
            }
        }
    }
}
