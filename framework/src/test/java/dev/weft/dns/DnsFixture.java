package dev.weft.dns;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A fake clock, a fake backend and a meter registry, with a {@link CachingResolver} over them and
 * readers for its meters; {@link #close()} releases any held query.
 */
final class DnsFixture implements AutoCloseable {

    final FakeClock clock = new FakeClock();
    final FakeBackend backend = new FakeBackend();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    CachingResolver resolver(ResolverOptions options) {
        return new CachingResolver("test", backend, options, registry, clock);
    }

    double lookups(String result) {
        return registry.get(DnsMetrics.LOOKUPS).tag("resolver", "test").tag("result", result).counter().count();
    }

    double failures(String kind) {
        return registry.get(DnsMetrics.FAILURES).tag("resolver", "test").tag("kind", kind).counter().count();
    }

    double cacheSize() {
        return registry.get(DnsMetrics.SIZE).tag("resolver", "test").gauge().value();
    }

    double evictions() {
        return registry.get(DnsMetrics.EVICTIONS).tag("resolver", "test").counter().count();
    }

    long backendQueriesTimed() {
        return registry.get(DnsMetrics.DURATION).tag("resolver", "test").timer().count();
    }

    @Override
    public void close() {
        backend.release();
    }
}
