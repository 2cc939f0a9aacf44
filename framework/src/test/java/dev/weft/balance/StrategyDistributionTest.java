package dev.weft.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Each strategy's shares by weight over many picks: exact for the round robins, within a
 * statistical bound for the random and hash strategies (five standard deviations for random draws,
 * which a seeded run either passes for good or never).
 */
class StrategyDistributionTest {

    private static final List<Upstream> WEIGHTED = List.of(Upstream.of("10.0.0.1:80"),
            Upstream.of("10.0.0.2:80").withWeight(2), Upstream.of("10.0.0.3:80").withWeight(3));

    private static UpstreamGroup group(Strategy strategy, List<Upstream> upstreams, long seed) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("shares").strategy(strategy).random(new SplittableRandom(seed))
                .meterRegistry(new SimpleMeterRegistry());
        upstreams.forEach(b::add);
        return b.build();
    }

    private static int[] counts(UpstreamGroup g, int picks, KeyFor key) throws Exception {
        int[] counts = new int[g.upstreams().size()];
        for (int i = 0; i < picks; i++) {
            try (Pick pick = g.pick(key.client(i), key.key(i), List.of())) {
                counts[g.upstreams().indexOf(pick.upstream())]++;
            }
        }
        return counts;
    }

    private interface KeyFor {
        InetAddress client(int i) throws Exception;

        String key(int i);
    }

    private static final KeyFor NONE = new KeyFor() {
        @Override
        public InetAddress client(int i) {
            return null;
        }

        @Override
        public String key(int i) {
            return null;
        }
    };

    private static final KeyFor DISTINCT = new KeyFor() {
        @Override
        public InetAddress client(int i) throws Exception {
            return InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, 1}); // a /24 each
        }

        @Override
        public String key(int i) {
            return "/objects/" + i;
        }
    };

    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = {"ROUND_ROBIN", "LEAST_CONNECTIONS"})
    void roundRobinSharesAreExactAndSmooth(Strategy strategy) throws Exception {
        try (UpstreamGroup g = group(strategy, WEIGHTED, 1)) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < 6_000; i++) {
                try (Pick pick = g.pick()) {
                    order.add(g.upstreams().indexOf(pick.upstream()));
                }
            }
            for (int start = 0; start < order.size(); start += 6) {
                List<Integer> block = order.subList(start, start + 6);
                assertEquals(List.of(1L, 2L, 3L), List.of(block.stream().filter(x -> x == 0).count(),
                        block.stream().filter(x -> x == 1).count(), block.stream().filter(x -> x == 2).count()),
                        "every run of 6 picks has the shares 1:2:3, at " + start);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = {"RANDOM", "RANDOM_TWO"})
    void randomSharesFollowTheWeightsWithinFiveSigma(Strategy strategy) throws Exception {
        int n = 60_000;
        try (UpstreamGroup g = group(strategy, WEIGHTED, 2026)) {
            // Picks closed at once: RANDOM_TWO's two draws are always even, so it keeps the first, drawn by weight.
            assertWithin(counts(g, n, NONE), n, new double[] {1 / 6.0, 2 / 6.0, 3 / 6.0}, 5.0, strategy);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = {"IP_HASH", "HASH", "CONSISTENT_HASH"})
    void hashSharesFollowTheWeightsOverManyKeys(Strategy strategy) throws Exception {
        int n = 30_000;
        try (UpstreamGroup g = group(strategy, WEIGHTED, 1)) {
            int[] counts = counts(g, n, DISTINCT);
            double[] shares = {1 / 6.0, 2 / 6.0, 3 / 6.0};
            // Not random draws: the hash's own unevenness bounds it (the ring's 160 points per weight most).
            double tolerance = strategy == Strategy.CONSISTENT_HASH ? 0.15 : 0.10;
            for (int i = 0; i < counts.length; i++) {
                double expected = n * shares[i];
                assertTrue(Math.abs(counts[i] - expected) < expected * tolerance, strategy + ": server " + i + " got "
                        + counts[i] + ", about " + (int) expected + " expected");
            }
        }
    }

    @Test
    void twoChoicesKeepTheInFlightCountsEven() throws Exception {
        List<Upstream> even = List.of(Upstream.of("10.0.0.1:80"), Upstream.of("10.0.0.2:80"), Upstream.of("10.0.0.3:80"),
                Upstream.of("10.0.0.4:80"));
        Map<Strategy, Integer> spread = new HashMap<>();
        for (Strategy s : List.of(Strategy.RANDOM, Strategy.RANDOM_TWO)) {
            try (UpstreamGroup g = group(s, even, 99)) {
                List<Pick> open = new ArrayList<>();
                SplittableRandom closing = new SplittableRandom(5);
                for (int i = 0; i < 2_000; i++) {
                    open.add(g.pick());
                    if (open.size() > 200) {
                        open.remove(closing.nextInt(open.size())).close();
                    }
                }
                int max = even.stream().mapToInt(g::inFlight).max().orElseThrow();
                int min = even.stream().mapToInt(g::inFlight).min().orElseThrow();
                spread.put(s, max - min);
                open.forEach(Pick::close);
            }
        }
        assertTrue(spread.get(Strategy.RANDOM_TWO) <= 6, "two choices: " + spread);
        assertTrue(spread.get(Strategy.RANDOM_TWO) * 2 < spread.get(Strategy.RANDOM), "against one choice: " + spread);
    }

    @Test
    void theSameSeedGivesTheSameDraws() throws Exception {
        for (Strategy s : List.of(Strategy.RANDOM, Strategy.RANDOM_TWO)) {
            List<Upstream> first = new ArrayList<>();
            List<Upstream> second = new ArrayList<>();
            for (List<Upstream> into : List.of(first, second)) {
                try (UpstreamGroup g = group(s, WEIGHTED, 42)) {
                    for (int i = 0; i < 50; i++) {
                        try (Pick pick = g.pick()) {
                            into.add(pick.upstream());
                        }
                    }
                }
            }
            assertEquals(first, second, s.toString());
            assertEquals(Set.copyOf(WEIGHTED), Set.copyOf(first), s + " used every server");
        }
    }

    private static void assertWithin(int[] counts, int n, double[] shares, double sigmas, Strategy strategy) {
        for (int i = 0; i < counts.length; i++) {
            double expected = n * shares[i];
            double sd = Math.sqrt(n * shares[i] * (1 - shares[i]));
            assertTrue(Math.abs(counts[i] - expected) <= sigmas * sd, strategy + ": server " + i + " got " + counts[i]
                    + ", expected " + (int) expected + " +- " + (int) (sigmas * sd));
        }
    }
}
