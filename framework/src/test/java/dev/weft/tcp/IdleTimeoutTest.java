package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A read that waits longer than the idle timeout fails and closes the connection. */
class IdleTimeoutTest {

    private static final Duration IDLE = Duration.ofMillis(300);

    private final ServerFixture fixture = new ServerFixture();
    private final CompletableFuture<Throwable> handlerFailure = new CompletableFuture<>();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void tearDown() {
        pacer.shutdownNow();
        fixture.close();
    }

    /** Echoes, and records what the handler ended with. */
    private ConnectionHandler recordingEcho() {
        return conn -> {
            try {
                conn.in().transferTo(conn.out());
            } catch (Exception e) {
                handlerFailure.complete(e);
                throw e;
            }
        };
    }

    @Test
    void silentClientIsClosedAfterTheIdleTimeout() throws Exception {
        fixture.start(recordingEcho(), b -> b.idleTimeout(IDLE));
        long start = System.nanoTime();
        TestClient client = fixture.connect();

        client.assertEnded();
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(elapsedMillis >= IDLE.toMillis() - 10, "closed after " + elapsedMillis + " ms, before the timeout");
        assertTrue(elapsedMillis < 3_000, "closed only after " + elapsedMillis + " ms");
        assertInstanceOf(SocketTimeoutException.class, handlerFailure.get(5, TimeUnit.SECONDS));
        fixture.awaitOnlyClosed(CloseCause.READ_TIMEOUT, 1);
    }

    @Test
    void clientThatKeepsSendingWithinTheTimeoutStaysOpenPastIt() {
        fixture.start(recordingEcho(), b -> b.idleTimeout(IDLE));
        TestClient client = fixture.connect();
        int rounds = 8;
        AtomicInteger echoed = new AtomicInteger();
        long start = System.nanoTime();

        // One byte every 100 ms: each read waits a third of the timeout, the connection lives 800 ms.
        pacer.scheduleAtFixedRate(() -> {
            if (echoed.get() < rounds) {
                client.assertEchoes("x");
                echoed.incrementAndGet();
            }
        }, 0, 100, TimeUnit.MILLISECONDS);

        await().atMost(Duration.ofSeconds(10)).until(() -> echoed.get() == rounds);
        assertTrue(System.nanoTime() - start > IDLE.toNanos() * 2, "lived past the idle timeout twice over");
        assertEquals(0, fixture.closedTotal(), "still open");
        client.close();
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 1);
        assertFalse(handlerFailure.isDone(), "the handler failed");
    }

    @Test
    void readTimeoutSetByTheHandlerReplacesTheIdleTimeout() throws Exception {
        fixture.start(conn -> {
            conn.readTimeout(Duration.ofMillis(100));
            recordingEcho().handle(conn);
        }, b -> b.idleTimeout(Duration.ofMinutes(1)));
        long start = System.nanoTime();

        fixture.connect().assertEnded();

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "the one-minute idle timeout applied");
        assertInstanceOf(SocketTimeoutException.class, handlerFailure.get(5, TimeUnit.SECONDS));
        fixture.awaitOnlyClosed(CloseCause.READ_TIMEOUT, 1);
    }

    @Test
    void readTimeoutMustBePositive() {
        fixture.start(conn -> {
            String zero = rejects(() -> conn.readTimeout(Duration.ZERO)) ? "Z" : "z";
            String negative = rejects(() -> conn.readTimeout(Duration.ofSeconds(-1))) ? "N" : "n";
            conn.out().write((zero + negative).getBytes(StandardCharsets.US_ASCII));
        });

        assertEquals("ZN", fixture.connect().readString(2), "Z/N: zero/negative threw IllegalArgumentException");
        fixture.awaitOnlyClosed(CloseCause.COMPLETED, 1);
    }

    private static boolean rejects(Runnable call) {
        try {
            call.run();
            return false;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }
}
