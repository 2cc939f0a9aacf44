package dev.weft.dns;

import dev.weft.internal.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The meters of one {@link CachingResolver}, all tagged {@code resolver=<name>}, removed again on close.
 *
 * <p>Every caller's lookup counts once under {@link Result}; every backend query is timed once and,
 * when it fails, counted once under {@link FailureKind} (however many callers shared it).
 */
final class DnsMetrics implements AutoCloseable {

    static final String LOOKUPS = "weft.dns.lookups";
    static final String DURATION = "weft.dns.lookup.duration";
    static final String FAILURES = "weft.dns.failures";
    static final String SIZE = "weft.dns.cache.size";
    static final String EVICTIONS = "weft.dns.cache.evictions";

    /** How a caller's lookup was answered. */
    enum Result {
        /** From a fresh cache entry. */
        HIT,
        /** By the backend (or its failure), the cache having nothing usable. */
        MISS,
        /** From an expired entry, because the backend failed, timed out, or failed moments ago. */
        STALE,
        /** From a cached "unknown host". */
        NEGATIVE_HIT;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why a backend query failed. */
    enum FailureKind {
        /** The backend said the name does not exist (or could not say otherwise: getaddrinfo conflates them). */
        UNKNOWN_HOST,
        /** No answer within the lookup timeout. */
        TIMEOUT,
        /** The backend refused the query, its queue being full. */
        OVERLOADED,
        /** The backend threw something other than {@code UnknownHostException}. */
        ERROR;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    final Timer queries;
    final Counter evictions;
    private final Map<Result, Counter> lookups = new EnumMap<>(Result.class);
    private final Map<FailureKind, Counter> failures = new EnumMap<>(FailureKind.class);
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final MeterNames.Claim claim;

    DnsMetrics(MeterRegistry registry, String resolverName, Supplier<Number> cacheSize) {
        this.registry = registry;
        this.claim = MeterNames.claim(registry, "resolver", resolverName, true);
        Tags tags = Tags.of("resolver", resolverName);
        for (Result result : Result.values()) {
            lookups.put(result, add(Counter.builder(LOOKUPS).tags(tags).tag("result", result.tag())
                    .description("Lookups by callers, by how they were answered")));
        }
        for (FailureKind kind : FailureKind.values()) {
            failures.put(kind, add(Counter.builder(FAILURES).tags(tags).tag("kind", kind.tag())
                    .description("Failed backend queries, by kind")));
        }
        queries = add(Timer.builder(DURATION).tags(tags).description("Time taken by backend queries"));
        evictions = add(Counter.builder(EVICTIONS).tags(tags)
                .description("Names dropped, least recently used first, because the cache was full"));
        meters.add(Gauge.builder(SIZE, cacheSize).tags(tags).description("Names in the cache")
                .baseUnit("names").register(registry));
    }

    void lookup(Result result) {
        lookups.get(result).increment();
    }

    void failure(FailureKind kind) {
        failures.get(kind).increment();
    }

    void queried(long nanos) {
        queries.record(nanos, TimeUnit.NANOSECONDS);
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    private Counter add(Counter.Builder builder) {
        return add(builder.register(registry));
    }

    private Timer add(Timer.Builder builder) {
        return add(builder.register(registry));
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        claim.close();
    }
}
