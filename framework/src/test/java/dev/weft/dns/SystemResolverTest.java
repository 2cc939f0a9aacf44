package dev.weft.dns;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The system resolver: real {@code getaddrinfo} for localhost, its thread pool, literals and overload. */
@Timeout(10) // a broken timeout or a lost wake-up fails the test instead of hanging the build
class SystemResolverTest {

    @Test
    void resolvesLocalhostToLoopback() throws Exception {
        for (Resolver resolver : List.of(Resolver.system(), Resolver.system(1, 1))) {
            List<InetAddress> addresses = resolver.resolve("localhost");

            assertFalse(addresses.isEmpty());
            assertTrue(addresses.stream().allMatch(InetAddress::isLoopbackAddress), addresses.toString());
        }
    }

    @Test
    void namesAreLookedUpOnThePoolAndLiteralsOnTheCaller() throws Exception {
        Queue<Thread> lookupThreads = new ConcurrentLinkedQueue<>();
        SystemResolver resolver = new SystemResolver(2, 4, host -> {
            lookupThreads.add(Thread.currentThread());
            return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 192, 0, 2, 9})};
        });

        assertEquals(List.of(InetAddress.getByName("192.0.2.7")), resolver.resolve("192.0.2.7"));
        assertEquals(List.of(InetAddress.getByName("::1")), resolver.resolve("::1"));
        assertEquals(List.of(InetAddress.getByName("2001:db8::1")), resolver.resolve("[2001:db8::1]"));
        assertTrue(lookupThreads.isEmpty(), "literals never reach the name service");

        Thread.ofVirtual().start(() -> {
            try {
                resolver.resolve("name.test");
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }).join(Duration.ofSeconds(5));

        Thread lookupThread = lookupThreads.remove();
        assertFalse(lookupThread.isVirtual(), "getaddrinfo must not run on a virtual thread's carrier");
        assertTrue(lookupThread.getName().startsWith("weft-dns-system-"), lookupThread.getName());
    }

    @Test
    void fullQueueFailsFastSayingTheResolverIsOverloaded() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        SystemResolver resolver = new SystemResolver(1, 1, host -> {
            running.incrementAndGet();
            try {
                answer.await();
            } catch (InterruptedException e) {
                throw new UnknownHostException("interrupted");
            }
            return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 192, 0, 2, 1})};
        });
        Thread busy = Thread.ofVirtual().start(() -> resolveQuietly(resolver, "busy.test"));
        await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 1);
        Thread queued = Thread.ofVirtual().start(() -> resolveQuietly(resolver, "queued.test"));
        await().atMost(Duration.ofSeconds(5)).until(() -> resolver.queued() == 1);

        try {
            long started = System.nanoTime();
            UnknownHostException e = assertThrows(UnknownHostException.class, () -> resolver.resolve("third.test"));
            Duration waited = Duration.ofNanos(System.nanoTime() - started);

            assertInstanceOf(ResolverOverloadedException.class, e);
            assertTrue(e.getMessage().contains("third.test") && e.getMessage().contains("overloaded"), e.getMessage());
            assertTrue(waited.compareTo(Duration.ofSeconds(1)) < 0, "failed fast, not after " + waited);
        } finally {
            answer.countDown();
        }
        busy.join(Duration.ofSeconds(5));
        queued.join(Duration.ofSeconds(5));
        assertEquals(2, running.get(), "the queued lookup ran once a thread was free");
    }

    @Test
    void emptyNameIsRefusedRatherThanAnsweredWithLoopback() {
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> Resolver.system().resolve(""));

        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void recognisesLiteralsThatNeedNoLookup() {
        for (String literal : List.of("192.0.2.1", "0.0.0.0", "255.255.255.255", "::1", "[::1]", "fe80::1%1",
                "::ffff:192.0.2.1")) {
            assertTrue(SystemResolver.isIpLiteral(literal), literal);
        }
        for (String name : List.of("localhost", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3",
                "1.2.3.4a", "zz:1")) {
            assertFalse(SystemResolver.isIpLiteral(name), name);
        }
    }

    private static void resolveQuietly(Resolver resolver, String host) {
        try {
            resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
