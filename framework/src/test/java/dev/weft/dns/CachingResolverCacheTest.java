package dev.weft.dns;

import static dev.weft.dns.FakeBackend.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TTLs, negative caching and the LRU bound of {@link CachingResolver}, on a fake clock. */
class CachingResolverCacheTest {

    private static final ResolverOptions NO_REFRESH_AHEAD = ResolverOptions.DEFAULTS.withRefreshAheadFraction(0);

    private final DnsFixture dns = new DnsFixture();

    @AfterEach
    void releaseBackend() {
        dns.close();
    }

    @Test
    void answerIsServedFromCacheUntilItsTtlEnds() throws Exception {
        dns.backend.answer("a.test", "192.0.2.1", "192.0.2.2");
        CachingResolver resolver = dns.resolver(NO_REFRESH_AHEAD);

        assertEquals(List.of(ip("192.0.2.1"), ip("192.0.2.2")), resolver.resolve("a.test"));
        dns.clock.advance(Duration.ofSeconds(30).minusNanos(1));
        assertEquals(List.of(ip("192.0.2.1"), ip("192.0.2.2")), resolver.resolve("a.test"));
        assertEquals(1, dns.backend.queries(), "served from cache just before the TTL ends");

        dns.backend.answer("a.test", "192.0.2.3");
        dns.clock.advance(Duration.ofNanos(1));
        assertEquals(List.of(ip("192.0.2.3")), resolver.resolve("a.test"));
        assertEquals(2, dns.backend.queries(), "asked again at the TTL");
        assertEquals(1, dns.lookups("hit"));
        assertEquals(2, dns.lookups("miss"));
        assertEquals(2, dns.backendQueriesTimed());
    }

    @Test
    void namesAreCaseInsensitive() throws Exception {
        dns.backend.answer("mixed.test", "192.0.2.1");
        CachingResolver resolver = dns.resolver(NO_REFRESH_AHEAD);

        resolver.resolve("Mixed.TEST");
        resolver.resolve("mixed.test");

        assertEquals(1, dns.backend.queries());
        assertEquals(1, dns.lookups("hit"));
    }

    @Test
    void unknownHostIsCachedForTheNegativeTtlAndRethrownFresh() {
        CachingResolver resolver = dns.resolver(NO_REFRESH_AHEAD);

        UnknownHostException first = assertThrows(UnknownHostException.class, () -> resolver.resolve("gone.test"));
        UnknownHostException second = assertThrows(UnknownHostException.class, () -> resolver.resolve("gone.test"));

        assertNotSame(first, second);
        assertTrue(second.getMessage().contains("gone.test") && second.getMessage().contains("cached"),
                second.getMessage());
        assertEquals(1, dns.backend.queries());
        assertEquals(1, dns.lookups("negative_hit"));
        assertEquals(1, dns.failures("unknown_host"));

        dns.clock.advance(Duration.ofSeconds(10).minusNanos(1));
        assertThrows(UnknownHostException.class, () -> resolver.resolve("gone.test"));
        assertEquals(1, dns.backend.queries(), "still cached just before the negative TTL ends");
        dns.clock.advance(Duration.ofNanos(1));
        assertThrows(UnknownHostException.class, () -> resolver.resolve("gone.test"));
        assertEquals(2, dns.backend.queries(), "asked again at the negative TTL");
    }

    @Test
    void zeroNegativeTtlRemembersNoFailure() {
        CachingResolver resolver = dns.resolver(NO_REFRESH_AHEAD.withNegativeTtl(Duration.ZERO));

        assertThrows(UnknownHostException.class, () -> resolver.resolve("gone.test"));
        assertThrows(UnknownHostException.class, () -> resolver.resolve("gone.test"));

        assertEquals(2, dns.backend.queries());
        assertEquals(0, dns.lookups("negative_hit"));
    }

    @Test
    void leastRecentlyUsedNameIsDroppedAtTheBound() throws Exception {
        for (String name : List.of("a.test", "b.test", "c.test", "d.test")) {
            dns.backend.answer(name, "192.0.2.1");
        }
        CachingResolver resolver = dns.resolver(NO_REFRESH_AHEAD.withMaxNames(3));
        resolver.resolve("a.test");
        resolver.resolve("b.test");
        resolver.resolve("c.test");
        resolver.resolve("a.test"); // now b is the least recently used
        assertEquals(3, dns.cacheSize());

        resolver.resolve("d.test");
        assertEquals(3, dns.cacheSize());
        assertEquals(1, dns.evictions());
        resolver.resolve("a.test");
        resolver.resolve("c.test");
        resolver.resolve("d.test");
        assertEquals(4, dns.backend.queries(), "a, c and d stayed");

        resolver.resolve("b.test");
        assertEquals(5, dns.backend.queries(), "b was dropped");
        assertEquals(2, dns.evictions());
    }

    @Test
    void overlongNameIsRefusedWithoutAQuery() {
        CachingResolver resolver = dns.resolver(ResolverOptions.DEFAULTS);
        String name = "a".repeat(CachingResolver.MAX_NAME_LENGTH + 1);

        UnknownHostException e = assertThrows(UnknownHostException.class, () -> resolver.resolve(name));

        assertTrue(e.getMessage().contains("longer than 255"), e.getMessage());
        assertEquals(0, dns.backend.queries());
        assertEquals(0, dns.cacheSize());
    }

    @Test
    void closeRemovesTheMeters() {
        CachingResolver resolver = dns.resolver(ResolverOptions.DEFAULTS);
        assertTrue(dns.registry.find(DnsMetrics.LOOKUPS).counters().size() > 0);

        resolver.close();

        assertTrue(dns.registry.getMeters().isEmpty(), dns.registry.getMeters().toString());
    }
}
