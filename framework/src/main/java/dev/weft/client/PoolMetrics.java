package dev.weft.client;

import dev.weft.internal.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one {@link ConnectionPool}, tagged {@code pool=<name>} and {@code endpoint=host:port},
 * registered when an endpoint is first used and removed when the pool closes:
 * {@code weft.pool.connections{state=active|idle}} and {@code weft.pool.pending} (gauges),
 * {@code weft.pool.connections.created} and {@code weft.pool.connections.destroyed{reason}}
 * (counters), {@code weft.pool.borrow.wait} (timer). Without {@link PoolOptions#endpointMeters} one
 * set is registered at the first use, tagged {@code endpoint=all}, for the whole pool.
 */
final class PoolMetrics implements AutoCloseable {

    /** What the gauges read, per endpoint (null: the whole pool). */
    interface Stats {
        int active(Endpoint endpoint);

        int idle(Endpoint endpoint);

        int pending(Endpoint endpoint);
    }

    private record EndpointMeters(Counter created, Map<PooledConnection.DestroyReason, Counter> destroyed, Timer borrowWait) {
    }

    /** The key of the whole pool's meters in {@link #endpoints}. */
    private static final Endpoint ALL = new Endpoint("all", 1);

    private final MeterRegistry registry;
    private final String pool;
    private final boolean perEndpoint;
    private final MeterNames.Claim claim;
    /** The meters of the whole pool, when they are not per endpoint; made at the first use. */
    private volatile EndpointMeters all;
    private volatile Counter abandoned;
    private final Map<Endpoint, EndpointMeters> endpoints = new ConcurrentHashMap<>();
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private volatile Stats stats;

    PoolMetrics(MeterRegistry registry, String pool, boolean perEndpoint) {
        this.registry = registry;
        this.claim = MeterNames.claim(registry, "connection pool", pool, true);
        this.pool = pool;
        this.perEndpoint = perEndpoint;
    }

    void stats(Stats value) {
        this.stats = value;
    }

    void created(Endpoint endpoint) {
        meters(endpoint).created.increment();
    }

    void destroyed(Endpoint endpoint, PooledConnection.DestroyReason reason) {
        meters(endpoint).destroyed.get(reason).increment();
    }

    /** A lease was found dropped without close(). */
    void abandoned() {
        Counter c = abandoned;
        if (c == null) {
            c = add(Counter.builder("weft.pool.leases.abandoned").tag("pool", pool)
                    .description("Leases dropped without close(), their connections closed").register(registry));
            abandoned = c;
        }
        c.increment();
    }

    void waited(Endpoint endpoint, long nanos) {
        meters(endpoint).borrowWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    private EndpointMeters meters(Endpoint endpoint) {
        if (perEndpoint) {
            return endpoints.computeIfAbsent(endpoint, this::register);
        }
        EndpointMeters m = all;
        if (m == null) {
            m = endpoints.computeIfAbsent(ALL, e -> register(null)); // once: computeIfAbsent is atomic
            all = m;
        }
        return m;
    }

    /** Registers the meters of {@code endpoint}, or of the whole pool for null. */
    private EndpointMeters register(Endpoint endpoint) {
        Tags tags = Tags.of("pool", pool, "endpoint", endpoint == null ? "all" : endpoint.toString());
        gauge("weft.pool.connections", tags.and("state", "active"), s -> s.active(endpoint));
        gauge("weft.pool.connections", tags.and("state", "idle"), s -> s.idle(endpoint));
        gauge("weft.pool.pending", tags, s -> s.pending(endpoint));
        Counter created = add(Counter.builder("weft.pool.connections.created").tags(tags)
                .description("Connections opened").register(registry));
        Map<PooledConnection.DestroyReason, Counter> destroyed = new java.util.EnumMap<>(PooledConnection.DestroyReason.class);
        for (PooledConnection.DestroyReason reason : PooledConnection.DestroyReason.values()) {
            destroyed.put(reason, add(Counter.builder("weft.pool.connections.destroyed").tags(tags)
                    .tag("reason", reason.tag()).description("Connections closed, by reason").register(registry)));
        }
        Timer wait = add(Timer.builder("weft.pool.borrow.wait").tags(tags)
                .description("Time acquire() waited for a connection, connecting included").register(registry));
        return new EndpointMeters(created, destroyed, wait);
    }

    private void gauge(String name, Tags tags, ToDoubleFunction<Stats> value) {
        add(Gauge.builder(name, this, m -> m.stats == null ? 0 : value.applyAsDouble(m.stats))
                .tags(tags).register(registry));
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        claim.close();
    }
}
