package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Connection#minSendRate} on a real socket: a peer that keeps reading, but a few bytes at a
 * time, is cut as {@code slow_reader} once it has fallen behind by the grace plus one piece, long
 * before the 60 s write timeout (which such a peer never lets fire on its own).
 */
@ExtendWith(LeakCheck.class)
class MinSendRateTest {

    private static final long MIN_RATE = 8 * 1024;
    private static final Duration GRACE = Duration.ofMillis(500);
    /** What a write may wait once the peer stops keeping up: the grace and one 8 KiB piece at the minimum. */
    private static final long BOUND_MILLIS = GRACE.toMillis() + 1000;
    /** Small buffers on both ends, so the writer waits on the peer within a few KiB. */
    private static final int SMALL_BUFFER = 4 * 1024;

    private final ServerFixture fixture = new ServerFixture();
    private final CompletableFuture<Throwable> floodFailure = new CompletableFuture<>();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();

    /** The epoll transport starts its pollers with the first server in the JVM: before LeakCheck's baseline. */
    @BeforeAll
    static void startTheTransportsPollers() throws Exception {
        try (ServerFixture warmUp = new ServerFixture()) {
            warmUp.start(Handlers.echo());
            warmUp.connect().assertEchoes("warm");
        }
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pacer.shutdownNow();
        pacer.awaitTermination(5, TimeUnit.SECONDS);
        fixture.close();
    }

    @Test
    void peerReadingAFewBytesAtATimeIsCutAsASlowReaderWithinTheGracePlusOnePiece() throws Exception {
        fixture.start(conn -> {
            conn.minSendRate(MIN_RATE, GRACE);
            conn.in().read();
            try {
                Handlers.flood(conn); // 8 KiB writes until one fails
            } catch (Exception e) {
                floodFailure.complete(e);
                throw e;
            }
        }, b -> b.sendBufferSize(SMALL_BUFFER));
        TestClient slow = fixture.connect(s -> s.setReceiveBufferSize(SMALL_BUFFER));
        InputStream in = slow.socket.getInputStream();
        AtomicLong received = new AtomicLong();
        byte[] buffer = new byte[64];

        slow.send("F");
        long start = System.nanoTime();
        // 64 bytes every 50 ms: about 1.3 KB/s, a sixth of the minimum, and never a pause.
        pacer.scheduleWithFixedDelay(() -> {
            try {
                int n = in.read(buffer);
                if (n > 0) {
                    received.addAndGet(n);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e); // ends the schedule: the server has cut the connection
            }
        }, 0, 50, TimeUnit.MILLISECONDS);

        await("cut as a slow reader").atMost(Duration.ofSeconds(10))
                .until(() -> fixture.closed(CloseCause.SLOW_READER) == 1);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        fixture.awaitOnlyClosed(CloseCause.SLOW_READER, 1);
        Throwable failure = floodFailure.get(5, TimeUnit.SECONDS);
        assertInstanceOf(SocketTimeoutException.class, failure);
        assertTrue(failure.getMessage().contains("minimum send rate of 8192 bytes/s"), failure.getMessage());
        assertTrue(elapsed >= BOUND_MILLIS, "cut after " + elapsed + " ms, before the grace and one piece");
        assertTrue(elapsed < BOUND_MILLIS + 3000, "cut only after " + elapsed + " ms");
        assertTrue(received.get() > 0, "the peer was reading all along");
    }
}
