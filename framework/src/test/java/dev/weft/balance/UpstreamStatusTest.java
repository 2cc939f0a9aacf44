package dev.weft.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-server snapshot for a status page, and the meters beside it. */
class UpstreamStatusTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final long START = 5_000_000_000L;

    private final AtomicLong now = new AtomicLong(START);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** The wall clock moves with the fake nanosecond clock. */
    private final InstantSource wall = () -> T0.plusNanos(now.get() - START);

    private UpstreamGroup group(Upstream... upstreams) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("web").meterRegistry(registry).clock(now::get).wallClock(wall);
        for (Upstream u : upstreams) {
            b.add(u);
        }
        return b.build();
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void theSnapshotShowsStateCountsTransitionsAndResponseTimes() throws Exception {
        Upstream a = Upstream.of("10.0.0.1:80").withWeight(2).withMaxConns(10);
        Upstream b = Upstream.of("10.0.0.2:80");
        Upstream off = Upstream.of("10.0.0.3:80").withDown(true);
        Upstream spare = Upstream.of("10.0.0.9:80").withBackup(true);
        try (UpstreamGroup g = group(a, b, off, spare)) {
            Pick held = g.pick(null, List.of(b)); // on a
            try (Pick timed = g.pick(null, List.of(a))) { // on b
                advance(Duration.ofMillis(250));
            }
            try (Pick reported = g.pick(null, List.of(b))) {
                reported.markResponseTime(Duration.ofMillis(12));
                advance(Duration.ofSeconds(1));
            }
            try (Pick failing = g.pick(null, List.of(a))) {
                failing.markFailed(); // max_fails 1: b is out for 10 s
            }
            advance(Duration.ofSeconds(2));

            List<UpstreamStatus> status = g.status();
            assertEquals(List.of(a, b, off, spare), status.stream().map(UpstreamStatus::upstream).toList());
            UpstreamStatus sa = status.get(0);
            assertEquals(UpstreamStatus.State.UP, sa.state());
            assertEquals(1, sa.inFlight());
            assertEquals(2, sa.picks());
            assertEquals(Duration.ofMillis(12), sa.lastResponseTime(), "what the caller reported");
            assertEquals(0, sa.transitions());
            assertNull(sa.lastTransition());
            assertEquals("10.0.0.1:80 weight=2 UP in-flight=1/10 picks=2 failed(request=0, check=0) transitions=0"
                    + " last-response=12.0ms", sa.toString());

            UpstreamStatus sb = status.get(1);
            assertEquals(UpstreamStatus.State.FAILED, sb.state());
            assertEquals(2, sb.picks());
            assertEquals(1, sb.requestFailures());
            assertEquals(1, sb.transitions());
            assertEquals(T0.plusMillis(1250), sb.lastTransition());
            assertEquals(Duration.ofMillis(250), sb.lastResponseTime(), "the last pick that went well, pick to close");
            assertEquals("10.0.0.2:80 weight=1 FAILED in-flight=0 picks=2 failed(request=1, check=0) transitions=1"
                    + " (last 2026-03-01T12:00:01.250Z) last-response=250.0ms", sb.toString());

            assertEquals(UpstreamStatus.State.DOWN, status.get(2).state());
            assertEquals(UpstreamStatus.State.BACKUP, status.get(3).state());

            advance(Duration.ofSeconds(10));
            assertEquals(UpstreamStatus.State.UP, g.status().get(1).state(), "fail_timeout is over");
            held.close();
            assertEquals(0, g.status().get(0).inFlight());
            assertThrows(UnsupportedOperationException.class, () -> g.status().clear());
        }
    }

    @Test
    void healthCheckMovesShowAsUnhealthyAndCountAsTransitions() throws Exception {
        Upstream a = Upstream.of("10.0.0.1:80");
        Upstream b = Upstream.of("10.0.0.2:80");
        try (UpstreamGroup g = group(a, b)) {
            Peer peer = g.peer(b);
            HealthChecker checker = new HealthChecker("web", List.of(peer), HealthCheck.tcp().withFall(1).withRise(1),
                    host -> List.of(), new UpstreamMetrics(new SimpleMeterRegistry(), "other", List.of(peer), p -> true),
                    now::get, new java.util.SplittableRandom(1));
            advance(Duration.ofSeconds(3));
            checker.record(peer, "refused");
            assertEquals(UpstreamStatus.State.UNHEALTHY, g.status().get(1).state());
            assertEquals(1, g.status().get(1).checkFailures());
            advance(Duration.ofSeconds(4));
            checker.record(peer, null);
            UpstreamStatus back = g.status().get(1);
            assertEquals(UpstreamStatus.State.UP, back.state());
            assertEquals(2, back.transitions());
            assertEquals(T0.plusSeconds(7), back.lastTransition());
        }
    }

    @Test
    void metersPerServerAreTaggedWithTheGroupAndTheServer() throws Exception {
        Upstream a = Upstream.of("10.0.0.1:80");
        Upstream b = Upstream.of("10.0.0.2:80");
        try (UpstreamGroup g = group(a, b)) {
            Pick open = g.pick(null, List.of(b));
            for (int i = 0; i < 3; i++) {
                try (Pick pick = g.pick(null, List.of(a))) {
                    if (i == 2) {
                        pick.markFailed();
                    }
                }
            }
            assertEquals(1.0, meter("weft.upstream.requests", a).counter().count());
            assertEquals(3.0, meter("weft.upstream.requests", b).counter().count());
            assertEquals(1.0, meter("weft.upstream.in.flight", a).gauge().value());
            assertEquals(1.0, meter("weft.upstream.failures", b).tag("kind", "request").counter().count());
            assertEquals(0.0, meter("weft.upstream.failures", b).tag("kind", "check").counter().count());
            assertEquals(0.0, meter("weft.upstream.available", b).gauge().value());
            open.close();
            assertEquals(0.0, meter("weft.upstream.in.flight", a).gauge().value());
        }
        assertEquals(0, registry.getMeters().size(), "closing the group removes them all");
    }

    private io.micrometer.core.instrument.search.RequiredSearch meter(String name, Upstream u) {
        return registry.get(name).tag("upstream", "web").tag("server", u.toString());
    }
}
