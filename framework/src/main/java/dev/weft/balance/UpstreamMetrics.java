package dev.weft.balance;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The meters of one {@link UpstreamGroup}, tagged {@code group=<name>} and
 * {@code upstream=host:port}: {@code weft.upstream.available} (1 or 0) and
 * {@code weft.upstream.in.flight} (gauges), {@code weft.upstream.failures{kind=request|check}}
 * (counters). Removed when the group closes.
 */
final class UpstreamMetrics implements AutoCloseable {

    private record PeerMeters(Counter requestFailures, Counter checkFailures) {
    }

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<Peer, PeerMeters> byPeer = new IdentityHashMap<>();

    UpstreamMetrics(MeterRegistry registry, String group, List<Peer> peers, Predicate<Peer> available) {
        this.registry = registry;
        if (registry.find("weft.upstream.available").tag("group", group).meter() != null) {
            // Micrometer would hand back the other group's meters, and closing either would remove both.
            throw new IllegalStateException("an upstream group named " + group + " is already registered in this"
                    + " meter registry: close it before building its replacement, or give this one another name");
        }
        for (Peer peer : peers) {
            Tags tags = Tags.of("group", group, "upstream", peer.upstream.toString());
            meters.add(Gauge.builder("weft.upstream.available", peer, p -> available.test(p) ? 1 : 0)
                    .tags(tags).description("1 while the upstream is in service").register(registry));
            meters.add(Gauge.builder("weft.upstream.in.flight", peer, p -> p.active.get())
                    .tags(tags).description("requests picked for the upstream and not yet finished").register(registry));
            Counter request = Counter.builder("weft.upstream.failures").tags(tags).tag("kind", "request")
                    .description("failed requests (kind=request) and failed health checks (kind=check)").register(registry);
            Counter check = Counter.builder("weft.upstream.failures").tags(tags).tag("kind", "check")
                    .description("failed requests (kind=request) and failed health checks (kind=check)").register(registry);
            meters.add(request);
            meters.add(check);
            byPeer.put(peer, new PeerMeters(request, check));
        }
    }

    void requestFailed(Peer peer) {
        byPeer.get(peer).requestFailures.increment();
    }

    void checkFailed(Peer peer) {
        byPeer.get(peer).checkFailures.increment();
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
