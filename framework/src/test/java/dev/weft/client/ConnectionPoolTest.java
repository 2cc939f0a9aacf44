package dev.weft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.http.TransportPollers;
import dev.weft.testing.LeakCheck;
import dev.weft.dns.Resolver;
import dev.weft.tcp.Connection;
import dev.weft.tcp.ConnectionHandler;
import dev.weft.tcp.TcpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The pool against a real echo server on 127.0.0.1: reuse, pre-warming, limits, eviction, staleness, breakage. */
@ExtendWith(LeakCheck.class)
class ConnectionPoolTest {

    /** Made before the leak check's first look: the transport's pollers live as long as the JVM. */
    @BeforeAll
    static void startTheTransportsPollers() throws java.io.IOException {
        TransportPollers.start();
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TcpServer server;
    private ConnectionPool pool;

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Echoes lines; the line "reset" makes it abort the connection with a TCP reset. */
    private static ConnectionHandler lineEcho() {
        return conn -> {
            InputStream in = conn.in();
            StringBuilder line = new StringBuilder();
            for (int b; (b = in.read()) >= 0; ) {
                line.append((char) b);
                if (b == '\n') {
                    if (line.toString().equals("reset\n")) {
                        conn.setOption(StandardSocketOptions.SO_LINGER, 0);
                        conn.close();
                        return;
                    }
                    conn.out().write(line.toString().getBytes(StandardCharsets.US_ASCII));
                    line.setLength(0);
                }
            }
        };
    }

    private Endpoint startServer(Duration serverIdleTimeout) {
        server = TcpServer.builder().name("backend").meterRegistry(new SimpleMeterRegistry())
                .bindAddress(InetAddress.getLoopbackAddress()).idleTimeout(serverIdleTimeout)
                .handler(lineEcho()).start();
        return new Endpoint("127.0.0.1", server.port());
    }

    private ConnectionPool pool(PoolOptions options) {
        pool = new ConnectionPool("test", options, Resolver.system(), registry);
        return pool;
    }

    private static String exchange(Lease c, String text) throws IOException {
        c.out().write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        byte[] echoed = c.in().readNBytes(text.length() + 1);
        return new String(echoed, StandardCharsets.US_ASCII).trim();
    }

    private long destroyed(String reason) {
        return (long) registry.get("weft.pool.connections.destroyed").tag("reason", reason).counter().count();
    }

    private long created() {
        return (long) registry.get("weft.pool.connections.created").counter().count();
    }

    @Test
    void aLeaseDroppedWithoutCloseGivesItsConnectionBackAfterTheCollectorSawIt() throws Exception {
        Endpoint backend = startServer(Duration.ofMinutes(1));
        pool(PoolOptions.DEFAULTS.withMaxPerEndpoint(1).withBorrowTimeout(Duration.ofMillis(200)));
        useAndForget(backend);
        assertThrows(PoolExhaustedException.class, () -> pool.acquire(backend), "the dropped lease still holds the one connection");

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc(); // what finds it is the collector: ask for one each time
            return registry.find("weft.pool.leases.abandoned").counter() != null
                    && registry.get("weft.pool.leases.abandoned").counter().count() == 1.0;
        });
        try (Lease again = pool.acquire(backend)) {
            assertEquals("after", exchange(again, "after"));
            assertEquals(2, created(), "the forgotten connection was closed, not lent again (its state is unknown)");
        }
        assertEquals(1, destroyed("broken"));
        assertEquals(0, pool.leases().open());
    }

    /** Takes a lease, uses it and drops it without close(): the mistake the tracker exists for. */
    private void useAndForget(Endpoint backend) throws IOException {
        Lease forgotten = pool.acquire(backend);
        assertEquals("hello", exchange(forgotten, "hello"));
    }

    @Test
    void aBorrowerWaitingAtTheLimitGetsTheConnectionAsSoonAsItIsReturned() throws Exception {
        Endpoint backend = startServer(Duration.ofMinutes(1));
        pool(PoolOptions.DEFAULTS.withMaxPerEndpoint(1).withBorrowTimeout(Duration.ofSeconds(10)));
        // Two threads pass one connection back and forth, each waiting in the keyed pool while the
        // other holds it: a return kept hot that a waiter missed would cost that waiter up to
        // ConnectionPool.HOT_TTL (a second); each hand-over must take far less.
        int rounds = 300;
        java.util.concurrent.atomic.AtomicLong slowest = new java.util.concurrent.atomic.AtomicLong();
        Runnable player = () -> {
            for (int i = 0; i < rounds; i++) {
                long start = System.nanoTime();
                try (Lease c = pool.acquire(backend)) {
                    slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                    assertEquals("p" + i, exchange(c, "p" + i));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        Thread a = Thread.ofVirtual().start(player);
        Thread b = Thread.ofVirtual().start(player);
        assertTrue(a.join(Duration.ofSeconds(60)) && b.join(Duration.ofSeconds(60)), "both finished");
        assertTrue(slowest.get() < ConnectionPool.HOT_TTL.toNanos() / 2,
                "the slowest hand-over took " + slowest.get() / 1_000_000 + " ms");
        assertEquals(1, created(), "one connection served all " + 2 * rounds + " leases");
        assertEquals(0, pool.active());
        assertEquals(1, pool.idle(), "kept hot or in the keyed pool, it counts as idle");
    }

    @Test
    void aConnectionKeptHotIsStillIdleFromWhenItWentHotOnceBackInTheKeyedPool() throws Exception {
        Endpoint backend = startServer(Duration.ofMinutes(1));
        pool(PoolOptions.DEFAULTS);
        try (Lease c = pool.acquire(backend)) {
            assertEquals("a", exchange(c, "a"));
        }
        // The watchdog moves it from the hot connections to the keyed pool after HOT_TTL; its idle
        // time must keep counting from its return, or validateAfterIdle would skip its probe.
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.idle() == 1 && pool.hotConnections() == 0);
        try (Lease c = pool.acquire(backend)) {
            assertTrue(c.connection().idleNanos() >= ConnectionPool.HOT_TTL.toNanos(),
                    "idle " + c.connection().idleNanos() / 1_000_000 + " ms: its time restarted in the keyed pool");
        }
    }

    @Test
    void closedLeasesAreNotTracked() throws Exception {
        Endpoint backend = startServer(Duration.ofMinutes(1));
        pool(PoolOptions.DEFAULTS);
        for (int i = 0; i < 100; i++) {
            try (Lease c = pool.acquire(backend)) {
                assertEquals("x" + i, exchange(c, "x" + i));
            }
        }
        assertEquals(0, pool.leases().open());
        System.gc();
        assertNull(registry.find("weft.pool.leases.abandoned").counter(), "nothing was reported");
    }

    @Test
    void sequentialRequestsReuseOneConnection() throws Exception {
        Endpoint backend = startServer(Duration.ofMinutes(1));
        pool(PoolOptions.DEFAULTS);
        Set<Integer> localPorts = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            try (Lease c = pool.acquire(backend)) {
                assertEquals("hello " + i, exchange(c, "hello " + i));
                localPorts.add(c.localAddress().getPort());
                assertEquals(i > 0, c.isReused());
            }
        }
        assertEquals(1, localPorts.size());
        assertEquals(1, created());
        assertEquals(1, server.activeConnections());
        assertEquals(1, pool.idle(backend));
        assertEquals(0, pool.active(backend));
    }

    @Test
    void prewarmOpensTheMinimumIdleBeforeTheFirstRequest() throws Exception {
        Endpoint backend = startServer(Duration.ofMinutes(1));
        pool(PoolOptions.DEFAULTS.withIdle(3, 8));

        pool.prewarm(backend);

        assertEquals(3, pool.idle(backend));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.activeConnections() == 3);
        try (Lease c = pool.acquire(backend)) {
            assertTrue(c.isReused(), "the first request uses a pre-warmed connection");
            assertEquals("x", exchange(c, "x"));
        }
        assertEquals(3, created());
    }

    @Test
    void acquireTimesOutWithTheEndpointAndCountsWhenThePoolIsFull() throws Exception {
        Endpoint backend = startServer(Duration.ofMinutes(1));
        pool(PoolOptions.DEFAULTS.withMaxPerEndpoint(2).withBorrowTimeout(Duration.ofMillis(300)));
        try (Lease a = pool.acquire(backend); Lease b = pool.acquire(backend)) {
            long start = System.nanoTime();
            PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.acquire(backend));
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMillis >= 250 && waitedMillis < 5_000, "waited " + waitedMillis + " ms");
            assertTrue(e.getMessage().contains(backend.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("2 lent of at most 2"), e.getMessage());
            assertEquals(backend, e.endpoint());
        }
        try (Lease c = pool.acquire(backend)) {
            assertEquals("free again", exchange(c, "free again"));
        }
    }

    @Test
    void idleConnectionsAreEvictedAfterMaxIdleTime() throws Exception {
        Endpoint backend = startServer(Duration.ofMinutes(1));
        pool(PoolOptions.DEFAULTS.withEviction(Duration.ofMillis(200), Duration.ofMillis(50)));
        try (Lease c = pool.acquire(backend)) {
            exchange(c, "x");
        }
        assertEquals(1, pool.idle(backend));

        await().atMost(Duration.ofSeconds(5)).until(() -> pool.idle(backend) == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.activeConnections() == 0);
        assertEquals(1, destroyed("evicted"));
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsNeverLent() throws Exception {
        Endpoint backend = startServer(Duration.ofMillis(300)); // the server's idle timeout closes it
        pool(PoolOptions.DEFAULTS);
        try (Lease c = pool.acquire(backend)) {
            exchange(c, "first");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.activeConnections() == 0);

        try (Lease c = pool.acquire(backend)) {
            assertFalse(c.isReused(), "a fresh connection, not the stale one");
            assertEquals("second", exchange(c, "second"));
        }
        assertEquals(1, destroyed("stale"));
        assertEquals(2, created());
    }

    @Test
    void anEvictorPassLeavesTheIdleTimeAloneSoALongIdleConnectionIsStillProbed() throws Exception {
        assumeTrue(TcpTable.available(), "needs /proc/net/tcp to see the server's FIN arrive");
        AtomicReference<Connection> serverSide = new AtomicReference<>();
        ConnectionHandler echo = lineEcho();
        server = TcpServer.builder().name("backend").meterRegistry(new SimpleMeterRegistry())
                .bindAddress(InetAddress.getLoopbackAddress()).handler(conn -> {
                    serverSide.set(conn);
                    try {
                        echo.handle(conn);
                    } catch (IOException e) {
                        if (!conn.isClosed()) {
                            throw e;
                        } // else the test closed it: no handler failure
                    }
                }).start();
        Endpoint backend = new Endpoint("127.0.0.1", server.port());
        AtomicLong clock = new AtomicLong();
        pool = new ConnectionPool("test", PoolOptions.DEFAULTS.withValidateAfterIdle(Duration.ofSeconds(1))
                .withEviction(Duration.ofHours(1), Duration.ofHours(1)), Resolver.system(), registry, null, clock::get);
        int localPort;
        try (Lease c = pool.acquire(backend)) {
            assertEquals("first", exchange(c, "first"));
            localPort = c.localAddress().getPort();
        }
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        pool.evict(); // probes it (idle 10 s): fine, it stays
        assertEquals(1, pool.idle(backend));

        await().atMost(Duration.ofSeconds(5)).until(() -> serverSide.get() != null);
        serverSide.get().close(); // the server's keep-alive timeout, say, just after the evictor looked
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            TcpTable.Socket s = TcpTable.find(localPort, server.port());
            return s == null || !s.established();
        });
        clock.addAndGet(Duration.ofMillis(500).toNanos());
        try (Lease c = pool.acquire(backend)) {
            assertFalse(c.isReused(), "idle 10.5 s, more than validateAfterIdle: probed, found closed, not lent");
            assertEquals("second", exchange(c, "second"));
        }
        assertEquals(1, destroyed("stale"));
    }

    @Test
    void aResetMidExchangeBreaksTheLeaseAndTheConnectionIsNotReused() throws Exception {
        Endpoint backend = startServer(Duration.ofMinutes(1));
        pool(PoolOptions.DEFAULTS);
        try (Lease c = pool.acquire(backend)) {
            c.out().write("reset\n".getBytes(StandardCharsets.US_ASCII));
            assertThrows(IOException.class, () -> c.in().read());
            assertTrue(c.isBroken());
        }
        assertEquals(1, destroyed("broken"));
        assertEquals(0, pool.idle(backend));
        assertEquals(0, pool.active(backend));
        try (Lease c = pool.acquire(backend)) {
            assertEquals("after", exchange(c, "after"));
        }
    }

    @Test
    void connectFailureNamesTheEndpoint() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        pool(PoolOptions.DEFAULTS);
        Endpoint nowhere = new Endpoint("127.0.0.1", closedPort);
        IOException e = assertThrows(IOException.class, () -> pool.acquire(nowhere));
        assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
        assertEquals(0, pool.active());
    }

    @Test
    void tenThousandLeasesWithRandomFailuresLeakNothing() throws Exception {
        Endpoint backend = startServer(Duration.ofMinutes(1));
        pool(PoolOptions.DEFAULTS.withMaxPerEndpoint(8));
        try (Lease warm = pool.acquire(backend)) {
            exchange(warm, "warm");
        }
        pool.close();
        long descriptorsBefore = openFiles();
        pool(PoolOptions.DEFAULTS.withMaxPerEndpoint(8));

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?>[] workers = new Future<?>[8];
            for (int w = 0; w < workers.length; w++) {
                workers[w] = threads.submit(() -> {
                    for (int i = 0; i < 1_250; i++) {
                        int dice = ThreadLocalRandom.current().nextInt(20);
                        try (Lease c = pool.acquire(backend)) {
                            if (dice == 0) {
                                c.out().write("reset\n".getBytes(StandardCharsets.US_ASCII));
                                c.in().read(); // fails: the server resets
                            } else if (dice == 1) {
                                c.markBroken();
                            } else {
                                assertEquals("n" + i, exchange(c, "n" + i));
                            }
                        } catch (IOException expected) {
                            // the reset ones
                        }
                    }
                    return null;
                });
            }
            for (Future<?> f : workers) {
                f.get();
            }
        }

        assertEquals(0, pool.active());
        assertTrue(pool.idle() <= 8);
        assertTrue(destroyed("broken") > 0);
        pool.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.activeConnections() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> openFiles() <= descriptorsBefore);
    }

    /**
     * Open sockets of this process: what a leaked connection would keep. Other descriptors are left
     * out, since the JDK opens its virtual-thread pollers (epoll instances) lazily, one per carrier
     * thread, and keeps them.
     */
    private static long openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false; // closed while listing (the listing's own descriptor, say)
                }
            }).count();
        }
    }
}
