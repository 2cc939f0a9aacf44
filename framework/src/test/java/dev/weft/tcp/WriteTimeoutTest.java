package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A write that makes no progress for the write timeout fails; one that keeps progressing does not. */
class WriteTimeoutTest {

    private static final Duration WRITE_TIMEOUT = Duration.ofMillis(500);
    /** Small buffers on both ends, so a peer that stops reading stalls the writer within a few KiB. */
    private static final int SMALL_BUFFER = 4 * 1024;

    private final ServerFixture fixture = new ServerFixture();
    private final CompletableFuture<Throwable> floodFailure = new CompletableFuture<>();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void tearDown() {
        pacer.shutdownNow();
        fixture.close();
    }

    /** "F" as the first byte: write until the write fails; anything else: echo. */
    private ConnectionHandler floodOrEcho() {
        return conn -> {
            int first = conn.in().read();
            if (first == 'F') {
                try {
                    Handlers.flood(conn);
                } catch (Exception e) {
                    floodFailure.complete(e);
                    throw e;
                }
            }
            conn.out().write(first);
            conn.in().transferTo(conn.out());
        };
    }

    @Test
    void peerThatStopsReadingFailsTheWriteWithATimeoutAndOthersAreStillServed() throws Exception {
        fixture.start(floodOrEcho(), b -> b.writeTimeout(WRITE_TIMEOUT).sendBufferSize(SMALL_BUFFER));
        TestClient stalled = fixture.connect(s -> s.setReceiveBufferSize(SMALL_BUFFER));

        stalled.send("F"); // and never read

        Throwable failure = floodFailure.get(10, TimeUnit.SECONDS);
        assertInstanceOf(SocketTimeoutException.class, failure);
        fixture.awaitOnlyClosed(CloseCause.WRITE_TIMEOUT, 1);
        assertEquals(0, fixture.server().activeConnections());

        TestClient healthy = fixture.connect();
        healthy.assertEchoes("still echoing");
        assertEquals(1, fixture.server().activeConnections());
    }

    @Test
    void slowReaderIsNotTimedOutWhileTheWriteKeepsMakingProgress() throws Exception {
        // One write call of 1 MiB to a reader that drains 16 KiB every 20 ms (~800 KiB/s): the call
        // lasts more than twice the write timeout, but each 64 KiB chunk completes well within it.
        byte[] payload = new byte[1024 * 1024];
        new Random(3).nextBytes(payload);
        fixture.start(conn -> conn.out().write(payload),
                b -> b.writeTimeout(WRITE_TIMEOUT).sendBufferSize(16 * 1024));
        TestClient client = fixture.connect(s -> s.setReceiveBufferSize(16 * 1024));
        InputStream in = client.socket.getInputStream();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        long start = System.nanoTime();

        pacer.scheduleAtFixedRate(() -> {
            try {
                int n = in.read(buffer);
                if (n > 0) {
                    received.write(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, 0, 20, TimeUnit.MILLISECONDS);

        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.closedTotal() == 1);
        long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        fixture.awaitOnlyClosed(CloseCause.COMPLETED, 1);
        assertTrue(writeMillis > WRITE_TIMEOUT.toMillis(),
                "the write took only " + writeMillis + " ms, so the timeout was never at stake");
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() >= payload.length);
        pacer.shutdownNow();
        assertArrayEquals(payload, received.toByteArray());
        assertEquals(payload.length, fixture.bytesWritten());
    }
}
