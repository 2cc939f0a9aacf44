package dev.weft.dns;

import static dev.weft.dns.FakeBackend.ip;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Single-flight and refresh-ahead: what {@link CachingResolver} does when lookups overlap. */
@Timeout(10) // a broken timeout or a lost wake-up fails the test instead of hanging the build
class CachingResolverConcurrencyTest {

    private static final int CALLERS = 50;

    private final DnsFixture dns = new DnsFixture();

    @AfterEach
    void releaseBackend() {
        dns.close();
    }

    @Test
    void concurrentLookupsOfOneNameShareOneQuery() throws Exception {
        dns.backend.answer("a.test", "192.0.2.1").hold();
        CachingResolver resolver = dns.resolver(ResolverOptions.DEFAULTS);
        Map<Integer, Object> outcomes = new ConcurrentHashMap<>();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            int id = i;
            callers.add(Thread.ofVirtual().start(() -> {
                try {
                    outcomes.put(id, resolver.resolve("a.test"));
                } catch (Exception e) {
                    outcomes.put(id, e);
                }
            }));
        }
        // Callers waiting on the query are parked with a timeout (the lookup timeout); the query is held.
        await().atMost(Duration.ofSeconds(5)).until(() -> dns.backend.queries() == 1
                && callers.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING));

        dns.backend.release();
        for (Thread caller : callers) {
            caller.join(Duration.ofSeconds(5));
        }

        assertEquals(CALLERS, outcomes.size());
        outcomes.values().forEach(outcome -> assertEquals(List.of(ip("192.0.2.1")), outcome));
        assertEquals(1, dns.backend.queries());
        assertEquals(CALLERS, dns.lookups("miss"), "every caller went to the backend, none got a cache hit");
    }

    @Test
    void nameUsedNearItsExpiryIsRefreshedOnceInTheBackground() throws Exception {
        dns.backend.answer("hot.test", "192.0.2.1");
        CachingResolver resolver = dns.resolver(ResolverOptions.DEFAULTS); // refresh in the last 6 s of 30
        resolver.resolve("hot.test");
        dns.clock.advance(Duration.ofSeconds(23));
        resolver.resolve("hot.test"); // before the window: no refresh

        dns.backend.answer("hot.test", "192.0.2.2").hold();
        dns.clock.advance(Duration.ofSeconds(2));
        List<InetAddress> during = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            during.addAll(resolver.resolve("hot.test")); // answered at once although the backend is held
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> dns.backend.queries() == 2);
        dns.backend.release();

        assertEquals(List.of(ip("192.0.2.1"), ip("192.0.2.1"), ip("192.0.2.1")), during);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> resolver.resolve("hot.test").equals(List.of(ip("192.0.2.2"))));
        dns.clock.advance(Duration.ofSeconds(10)); // past the first answer's expiry
        assertEquals(List.of(ip("192.0.2.2")), resolver.resolve("hot.test"));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> dns.backend.queries() == 2);
        assertEquals(1, dns.lookups("miss"), "only the very first lookup waited for the backend");
    }
}
