package dev.weft.dns;

import static dev.weft.dns.FakeBackend.ip;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stale-if-error, the lookup timeout and how {@link CachingResolver} treats each kind of backend failure. */
@Timeout(10) // a broken timeout or a lost wake-up fails the test instead of hanging the build
class CachingResolverFailureTest {

    private static final ResolverOptions OPTIONS = ResolverOptions.DEFAULTS.withRefreshAheadFraction(0);
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(200);

    private final DnsFixture dns = new DnsFixture();

    @AfterEach
    void releaseBackend() {
        dns.close();
    }

    @Test
    void staleAnswerStandsInWhenTheLookupFailsAfterExpiry() throws Exception {
        dns.backend.answer("a.test", "192.0.2.1");
        CachingResolver resolver = dns.resolver(OPTIONS);
        resolver.resolve("a.test");
        dns.clock.advance(Duration.ofSeconds(31));
        dns.backend.failWith(new UnknownHostException("a.test: Temporary failure in name resolution"));

        assertEquals(List.of(ip("192.0.2.1")), resolver.resolve("a.test"));
        assertEquals(2, dns.backend.queries());
        assertEquals(1, dns.lookups("stale"));
        assertEquals(1, dns.failures("unknown_host"));

        assertEquals(List.of(ip("192.0.2.1")), resolver.resolve("a.test"));
        assertEquals(2, dns.backend.queries(), "a failure moments ago: stale without asking again");
        assertEquals(2, dns.lookups("stale"));

        dns.clock.advance(Duration.ofSeconds(10));
        assertEquals(List.of(ip("192.0.2.1")), resolver.resolve("a.test"));
        assertEquals(3, dns.backend.queries(), "asked again after the negative TTL");
        assertEquals(3, dns.lookups("stale"));
    }

    @Test
    void staleAnswerEndsAtTheStaleBound() throws Exception {
        dns.backend.answer("a.test", "192.0.2.1");
        CachingResolver resolver = dns.resolver(OPTIONS.withStaleIfError(Duration.ofMinutes(1)));
        resolver.resolve("a.test");
        dns.backend.failWith(new IllegalStateException("resolver broke"));

        dns.clock.advance(Duration.ofSeconds(30 + 59));
        assertEquals(List.of(ip("192.0.2.1")), resolver.resolve("a.test"), "within the bound");
        dns.clock.advance(Duration.ofSeconds(10));
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> resolver.resolve("a.test"));

        assertInstanceOf(IllegalStateException.class, e.getCause().getCause());
        assertEquals(3, dns.backend.queries());
        assertEquals(1, dns.lookups("stale"));
        assertEquals(2, dns.failures("error"));
    }

    @Test
    void callerGivesUpAtTheLookupTimeout() {
        dns.backend.hold();
        CachingResolver resolver = dns.resolver(OPTIONS.withLookupTimeout(SHORT_TIMEOUT));

        long started = System.nanoTime();
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> resolver.resolve("slow.test"));
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertTrue(waited.compareTo(SHORT_TIMEOUT) >= 0 && waited.compareTo(Duration.ofSeconds(2)) < 0,
                "waited " + waited);
        assertTrue(e.getMessage().contains("slow.test") && e.getMessage().contains("timed out after 200 ms"),
                e.getMessage());
        assertEquals(1, dns.lookups("miss"));
        assertEquals(1, dns.failures("timeout"));
        assertEquals(0, dns.cacheSize(), "a timeout is not an answer");
    }

    @Test
    void slowQueryKeepsRunningForLaterCallersAndItsLateAnswerIsCached() throws Exception {
        dns.backend.hold();
        CachingResolver resolver = dns.resolver(OPTIONS.withLookupTimeout(SHORT_TIMEOUT));
        assertThrows(UnknownHostException.class, () -> resolver.resolve("slow.test"));
        assertThrows(UnknownHostException.class, () -> resolver.resolve("slow.test"));
        assertEquals(1, dns.backend.queries(), "the second caller joined the query still running");
        assertEquals(1, dns.failures("timeout"), "one slow query, counted once");

        dns.backend.answer("slow.test", "192.0.2.5").release();
        await().atMost(Duration.ofSeconds(5)).until(() -> dns.cacheSize() == 1);

        assertEquals(List.of(ip("192.0.2.5")), resolver.resolve("slow.test"));
        assertEquals(1, dns.lookups("hit"));
        assertEquals(1, dns.backend.queries());
    }

    @Test
    void staleAnswerStandsInWhenTheLookupTimesOut() throws Exception {
        dns.backend.answer("a.test", "192.0.2.1");
        CachingResolver resolver = dns.resolver(OPTIONS.withLookupTimeout(SHORT_TIMEOUT));
        resolver.resolve("a.test");
        dns.clock.advance(Duration.ofSeconds(31));
        dns.backend.hold();

        assertEquals(List.of(ip("192.0.2.1")), resolver.resolve("a.test"));

        assertEquals(1, dns.lookups("stale"));
        await().atMost(Duration.ofSeconds(5)).until(() -> dns.failures("timeout") == 1);
    }

    @Test
    void backendErrorIsWrappedCountedAndNotCached() {
        dns.backend.failWith(new IllegalStateException("bug"));
        CachingResolver resolver = dns.resolver(OPTIONS);

        UnknownHostException e = assertThrows(UnknownHostException.class, () -> resolver.resolve("a.test"));
        assertThrows(UnknownHostException.class, () -> resolver.resolve("a.test"));

        assertTrue(e.getMessage().contains("a.test"), e.getMessage());
        assertInstanceOf(UnknownHostException.class, e.getCause(), "each caller gets its own copy");
        assertInstanceOf(IllegalStateException.class, e.getCause().getCause());
        assertEquals(2, dns.backend.queries());
        assertEquals(2, dns.failures("error"));
    }

    @Test
    void overloadedBackendIsCountedAndNotCachedAsUnknown() {
        dns.backend.failWith(new ResolverOverloadedException("a.test: the system resolver is overloaded"));
        CachingResolver resolver = dns.resolver(OPTIONS);

        UnknownHostException e = assertThrows(UnknownHostException.class, () -> resolver.resolve("a.test"));
        assertThrows(UnknownHostException.class, () -> resolver.resolve("a.test"));

        assertTrue(e.getMessage().contains("overloaded"), e.getMessage());
        assertEquals(2, dns.backend.queries());
        assertEquals(2, dns.failures("overloaded"));
        assertEquals(0, dns.lookups("negative_hit"));
    }

    @Test
    void emptyAnswerIsAnUnknownHost() {
        dns.backend.answerNothing("empty.test");
        CachingResolver resolver = dns.resolver(OPTIONS);

        UnknownHostException e = assertThrows(UnknownHostException.class, () -> resolver.resolve("empty.test"));

        assertTrue(e.getMessage().contains("no addresses"), e.getMessage());
        assertEquals(1, dns.failures("unknown_host"));
    }
}
