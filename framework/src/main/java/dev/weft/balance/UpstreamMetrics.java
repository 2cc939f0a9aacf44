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
 * The meters of one {@link UpstreamGroup}, one set per server, tagged {@code upstream=<group name>}
 * and {@code server=host:port} (nginx's names: the {@code upstream} block and its {@code server}
 * line): {@code weft.upstream.available} (1 or 0) and {@code weft.upstream.in.flight} (gauges),
 * {@code weft.upstream.requests} (picks) and {@code weft.upstream.failures{kind=request|check}}
 * (counters). Removed when the group closes. The peers keep the same counts for
 * {@link UpstreamStatus} (a registry may be one that keeps nothing).
 */
final class UpstreamMetrics implements AutoCloseable {

    private static final String FAILURES = "failed requests (kind=request) and failed health checks (kind=check)";

    private record PeerMeters(Counter requests, Counter requestFailures, Counter checkFailures) {
    }

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<Peer, PeerMeters> byPeer = new IdentityHashMap<>();

    UpstreamMetrics(MeterRegistry registry, String group, List<Peer> peers, Predicate<Peer> available) {
        this.registry = registry;
        if (registry.find("weft.upstream.available").tag("upstream", group).meter() != null) {
            // Micrometer would hand back the other group's meters, and closing either would remove both.
            throw new IllegalStateException("an upstream group named " + group + " is already registered in this"
                    + " meter registry: close it before building its replacement, or give this one another name");
        }
        for (Peer peer : peers) {
            Tags tags = Tags.of("upstream", group, "server", peer.upstream.toString());
            meters.add(Gauge.builder("weft.upstream.available", peer, p -> available.test(p) ? 1 : 0)
                    .tags(tags).description("1 while the server is in service").register(registry));
            meters.add(Gauge.builder("weft.upstream.in.flight", peer, p -> p.active.get())
                    .tags(tags).description("requests picked for the server and not yet finished").register(registry));
            Counter requests = Counter.builder("weft.upstream.requests").tags(tags)
                    .description("requests picked for the server").register(registry);
            Counter request = Counter.builder("weft.upstream.failures").tags(tags).tag("kind", "request")
                    .description(FAILURES).register(registry);
            Counter check = Counter.builder("weft.upstream.failures").tags(tags).tag("kind", "check")
                    .description(FAILURES).register(registry);
            meters.add(requests);
            meters.add(request);
            meters.add(check);
            byPeer.put(peer, new PeerMeters(requests, request, check));
        }
    }

    void picked(Peer peer) {
        peer.picks.incrementAndGet();
        byPeer.get(peer).requests.increment();
    }

    void requestFailed(Peer peer) {
        peer.requestFailures.incrementAndGet();
        byPeer.get(peer).requestFailures.increment();
    }

    void checkFailed(Peer peer) {
        peer.checkFailures.incrementAndGet();
        byPeer.get(peer).checkFailures.increment();
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
