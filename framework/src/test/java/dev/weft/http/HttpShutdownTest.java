package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpServer#close()} is graceful: a request whose handler is running finishes with its whole
 * response and {@code Connection: close}; an idle keep-alive connection ends at once; close returns
 * once the request in flight is done, well within the drain timeout (10 s here).
 */
class HttpShutdownTest {

    private static final String FAST = "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n";

    private final ClientFixture fixture = new ClientFixture();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicLong handlerDone = new AtomicLong();
    private Thread closer;

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        fixture.close();
        if (closer != null) {
            closer.join(10_000);
        }
    }

    private void start() {
        fixture.start(b -> b
                .get("/fast", (req, res) -> res.send("fast\n"))
                .get("/slow", (req, res) -> {
                    entered.countDown();
                    if (!release.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("never released");
                    }
                    res.send("slow but complete\n".repeat(1000));
                    handlerDone.set(System.nanoTime());
                })
                .post("/upload", (req, res) -> {
                    byte[] first = req.body().readNBytes(5);
                    entered.countDown();
                    byte[] rest = req.body().readAllBytes();
                    res.send(new String(first, StandardCharsets.US_ASCII) + "|" + rest.length);
                }));
    }

    @Test
    void requestInFlightCompletesIdleConnectionEndsAtOnceAndCloseWaitsForTheRequest() throws Exception {
        start();
        SlowSocket idle = idleKeptAliveConnection();
        SlowSocket busy = SlowSocket.connect(fixture.port());
        busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
        assertTrue(entered.await(5, TimeUnit.SECONDS), "the slow handler started");
        SlowSocket fresh = SlowSocket.connect(fixture.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.server().activeConnections() == 3);

        AtomicLong closeReturned = new AtomicLong();
        long closeCalled = System.nanoTime();
        closer = Thread.ofVirtual().start(() -> {
            fixture.server().close();
            closeReturned.set(System.nanoTime());
        });

        byte[] idleRest = idle.readToEnd(Duration.ofSeconds(5));
        long idleEndedMs = (System.nanoTime() - closeCalled) / 1_000_000;
        assertEquals(0, idleRest.length, "the idle connection ended without a response");
        assertTrue(idleEndedMs < 1000, "the idle connection ended " + idleEndedMs + " ms after close()");
        assertEquals(0, fresh.readToEnd(Duration.ofSeconds(5)).length, "a connection that sent nothing ends too");
        assertTrue(closer.isAlive(), "close() waits for the request in flight");
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), fixture.port()).close(),
                "no new connections once closing");

        release.countDown();
        SlowSocket.Answer answer = busy.readAnswer(Duration.ofSeconds(5));
        assertEquals(200, answer.status());
        assertEquals("close", answer.header("Connection"));
        assertEquals("slow but complete\n".repeat(1000), answer.bodyText());
        assertEquals(0, busy.readToEnd(Duration.ofSeconds(5)).length, "then the connection ends");

        closer.join(5_000);
        assertFalse(closer.isAlive(), "close() returned");
        assertTrue(closeReturned.get() - handlerDone.get() >= 0, "close() returned after the handler finished");
        long closeMs = (closeReturned.get() - closeCalled) / 1_000_000;
        assertTrue(closeMs < 5000, "close() took " + closeMs + " ms, as long as the drain timeout");
        assertEquals(0, fixture.server().activeConnections());
    }

    @Test
    void requestWhoseBodyIsStillArrivingWhenCloseBeginsIsServedCompletely() throws Exception {
        start();
        SlowSocket idle = idleKeptAliveConnection();
        SlowSocket uploading = SlowSocket.connect(fixture.port());
        uploading.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nfirst");
        assertTrue(entered.await(5, TimeUnit.SECONDS), "the handler read the first part of the body");

        closer = Thread.ofVirtual().start(() -> fixture.server().close());
        assertEquals(0, idle.readToEnd(Duration.ofSeconds(5)).length, "close() has ended the idle connection");
        uploading.send("12345");

        SlowSocket.Answer answer = uploading.readAnswer(Duration.ofSeconds(5));
        assertEquals(200, answer.status(), answer::bodyText);
        assertEquals("first|5", answer.bodyText());
        assertEquals("close", answer.header("Connection"));
        closer.join(5_000);
        assertFalse(closer.isAlive(), "close() returned");
        assertEquals(0, fixture.rejected("malformed"), "the client is not blamed for the shutdown");
    }

    @Test
    void requestWhoseHeadIsHalfSentWhenCloseBeginsIsServedCompletely() throws Exception {
        start();
        SlowSocket idle = idleKeptAliveConnection();
        SlowSocket halfway = SlowSocket.connect(fixture.port());
        String firstHalf = "GET /fast HTTP/1.1\r\nHo";
        halfway.send(firstHalf);
        long expectedBytes = FAST.length() + firstHalf.length();
        await("the server read the first half").atMost(Duration.ofSeconds(5))
                .until(() -> fixture.registry.get("weft.tcp.bytes.read").functionCounter().count() >= expectedBytes);

        closer = Thread.ofVirtual().start(() -> fixture.server().close());
        assertEquals(0, idle.readToEnd(Duration.ofSeconds(5)).length, "close() has ended the idle connection");
        halfway.send("st: t\r\n\r\n");

        SlowSocket.Answer answer = halfway.readAnswer(Duration.ofSeconds(5));
        assertEquals(200, answer.status(), answer::bodyText);
        assertEquals("fast\n", answer.bodyText());
        assertEquals("close", answer.header("Connection"));
        closer.join(5_000);
        assertFalse(closer.isAlive(), "close() returned");
    }

    /** A connection that was served one request and now waits for its next. */
    private SlowSocket idleKeptAliveConnection() {
        SlowSocket idle = SlowSocket.connect(fixture.port());
        idle.send(FAST);
        assertEquals(200, idle.readAnswer(Duration.ofSeconds(5)).status());
        return idle;
    }
}
