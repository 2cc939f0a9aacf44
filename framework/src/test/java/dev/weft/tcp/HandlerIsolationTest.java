package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A handler that throws ends its own connection only. */
class HandlerIsolationTest {

    private static final int HEALTHY = 10;
    private static final int FAILING = 20;

    private final ServerFixture fixture = new ServerFixture();
    /*
     * Platform threads for the clients: ten virtual threads ping-ponging with the server's in one
     * JVM keep both carriers' local run queues busy forever, and on JDK 25 (whose socket pollers
     * are virtual threads) a freshly started virtual thread can then wait for seconds. Real
     * clients live in other processes; this keeps the test about handler isolation.
     */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        fixture.close();
    }

    @Test
    void throwingHandlersDoNotDisturbConcurrentHealthyConnections() throws Exception {
        // First byte '!': the handler throws; anything else: echo.
        fixture.start(conn -> {
            int first = conn.in().read();
            if (first == '!') {
                throw new IllegalStateException("handler bug, on purpose");
            }
            conn.out().write(first);
            conn.in().transferTo(conn.out());
        });
        CountDownLatch allFailed = new CountDownLatch(1);
        List<Future<Integer>> healthy = new ArrayList<>();
        for (int i = 0; i < HEALTHY; i++) {
            int id = i;
            healthy.add(threads.submit(() -> {
                TestClient client = fixture.connect();
                // Echo before, during and after the failures; stop some rounds after they are all counted.
                int afterFailures = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                for (int round = 0; afterFailures < 5 && System.nanoTime() < deadline; round++) {
                    client.assertEchoes("healthy " + id + " round " + round + ";");
                    if (allFailed.getCount() == 0) {
                        afterFailures++;
                    }
                }
                client.close();
                return afterFailures;
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.server().activeConnections() == HEALTHY);

        for (int i = 0; i < FAILING; i++) {
            TestClient failing = fixture.connect();
            failing.send("!");
            failing.assertEnded();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.closed(CloseCause.HANDLER_ERROR) == FAILING);
        allFailed.countDown();

        for (Future<Integer> f : healthy) {
            assertEquals(5, f.get(20, TimeUnit.SECONDS), "rounds echoed after every failure was counted");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.closedTotal() == HEALTHY + FAILING);
        assertEquals(FAILING, fixture.closed(CloseCause.HANDLER_ERROR));
        assertEquals(HEALTHY, fixture.closed(CloseCause.PEER_CLOSED));
        assertEquals(HEALTHY + FAILING, fixture.opened());
        assertEquals(0, fixture.server().activeConnections());
    }
}
