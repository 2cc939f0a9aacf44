package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Short-lived connections leave nothing behind: no descriptors, no threads, no count. */
class ConnectionChurnTest {

    private static final int CONNECTIONS = 500;
    private static final int CLIENT_THREADS = 8;
    /** Descriptors the JDK may open lazily on its own (a jar, an epoll instance for a new poller). */
    private static final long FD_TOLERANCE = 5;

    private final ServerFixture fixture = new ServerFixture();
    private final ConcurrentLinkedQueue<Thread> handlerThreads = new ConcurrentLinkedQueue<>();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void fiveHundredShortConnectionsLeakNoDescriptorsThreadsOrCount() throws Exception {
        fixture.start(conn -> {
            handlerThreads.add(Thread.currentThread());
            conn.in().transferTo(conn.out());
        });
        // Warm up first, so classes, pollers and jars the first connections open lazily are in the baseline.
        runConnections(20, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.server().activeConnections() == 0);
        long baseline = OpenFiles.count();
        handlerThreads.clear();

        runConnections(CONNECTIONS, CLIENT_THREADS);

        await("open descriptors back to the baseline of " + baseline).atMost(Duration.ofSeconds(10))
                .until(() -> OpenFiles.count() <= baseline + FD_TOLERANCE);
        assertEquals(CONNECTIONS, handlerThreads.size(), "one handler run per connection");
        assertEquals(CONNECTIONS, handlerThreads.stream().distinct().count(), "one thread per connection");
        assertTrue(handlerThreads.stream().allMatch(Thread::isVirtual), "handlers run on virtual threads");
        await("every handler thread ended").atMost(Duration.ofSeconds(10))
                .until(() -> handlerThreads.stream().noneMatch(Thread::isAlive));
        assertEquals(0, fixture.server().activeConnections());
        assertEquals(0, fixture.activeGauge());
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 20 + CONNECTIONS);
        assertEquals(20 + CONNECTIONS, fixture.opened());
    }

    /** Opens {@code count} connections from {@code threads} threads; each echoes one message and closes. */
    private void runConnections(int count, int threads) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = IntStream.range(0, count).<Future<?>>mapToObj(i -> pool.submit(() -> {
                try (TestClient client = TestClient.connect(fixture.port(), s -> { })) {
                    client.assertEchoes("connection " + i);
                }
                return null;
            })).toList();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }
}
