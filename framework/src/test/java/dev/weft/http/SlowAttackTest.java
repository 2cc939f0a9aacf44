package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The slow-client defences on real sockets, with limits short enough for a test: the header
 * deadline (Slowloris), the minimum body rate, the silent close of a client that never begins and
 * of an idle keep-alive connection, and a normal client served while 200 slow ones are held.
 *
 * <p>The slow clients wait between bytes by reading with a timeout, never by sleeping, so a server
 * that answers early ends the wait at once; times are taken with {@link System#nanoTime()} and
 * checked within generous bounds.
 */
class SlowAttackTest {

    private static final Duration HEADER = Duration.ofSeconds(2);
    private static final Duration READ = Duration.ofSeconds(1);
    private static final long MIN_RATE = 1000;
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(5);

    private final ClientFixture fixture = new ClientFixture();
    private final AtomicInteger handled = new AtomicInteger();
    private final List<Exception> bodyFailures = new CopyOnWriteArrayList<>();
    private final List<SlowSocket> sockets = new ArrayList<>();

    @AfterEach
    void tearDown() {
        sockets.forEach(SlowSocket::close);
        fixture.close();
    }

    private void start(HttpLimits limits) {
        fixture.start(b -> b.limits(limits)
                .get("/hello", (req, res) -> {
                    handled.incrementAndGet();
                    res.send("hello\n");
                })
                .post("/upload", (req, res) -> {
                    handled.incrementAndGet();
                    byte[] body;
                    try {
                        body = req.bodyBytes();
                    } catch (Exception e) {
                        bodyFailures.add(e);
                        throw e;
                    }
                    res.send(body.length + " bytes\n");
                }));
    }

    private SlowSocket connect() {
        SlowSocket s = SlowSocket.connect(fixture.port());
        sockets.add(s);
        return s;
    }

    @Test
    void headSentOneByteAtATimeIsCutAtTheHeaderDeadlineWith408() {
        start(ClientFixture.limits(HEADER, READ, MIN_RATE, GRACE, KEEP_ALIVE));
        byte[] neverEnding = ("GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: " + "a".repeat(20))
                .getBytes(StandardCharsets.US_ASCII);

        long start = System.nanoTime();
        SlowSocket s = connect();
        // A byte every 400 ms: each read is well within the 1 s read timeout, the head never ends.
        SlowSocket.Trickled trickled = s.trickle(neverEnding, Duration.ofMillis(400));
        byte[] raw = s.readToEnd(Duration.ofSeconds(5));
        long elapsedMs = millisSince(start);

        assertTrue(trickled.answered(), "the server answered before the client ran out of bytes: " + trickled);
        assertTrue(trickled.sent() >= 4, "the client kept trickling past the read timeout: " + trickled);
        SlowSocket.Answer answer = SlowSocket.parse(raw);
        assertEquals(408, answer.status(), answer::bodyText);
        assertEquals("close", answer.header("Connection"));
        assertTrue(elapsedMs >= HEADER.toMillis(), "408 after " + elapsedMs + " ms, before the header timeout");
        assertTrue(elapsedMs < 2 * HEADER.toMillis(), "408 only after " + elapsedMs + " ms");
        assertEquals(0, handled.get(), "no handler ran");
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.rejected("timeout") == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.server().activeConnections() == 0);
    }

    @Test
    void headWhoseFirstByteComesLateIsCutAtTheHeaderDeadlineCountedFromAccept() {
        start(ClientFixture.limits(HEADER, READ, MIN_RATE, GRACE, KEEP_ALIVE));
        byte[] neverEnding = ("GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: " + "a".repeat(20))
                .getBytes(StandardCharsets.US_ASCII);

        long start = System.nanoTime();
        SlowSocket s = connect();
        // On epoll the connection's thread starts only now, with the first byte; the deadline still counts from accept.
        assertTrue(s.quietFor(Duration.ofMillis(1500)), "the server spoke or closed before the head began");
        SlowSocket.Trickled trickled = s.trickle(neverEnding, Duration.ofMillis(400));
        byte[] raw = s.readToEnd(Duration.ofSeconds(5));
        long elapsedMs = millisSince(start);

        assertTrue(trickled.answered(), "the server answered before the client ran out of bytes: " + trickled);
        assertEquals(408, SlowSocket.parse(raw).status());
        assertTrue(elapsedMs >= HEADER.toMillis(), "408 after " + elapsedMs + " ms, before the header timeout");
        assertTrue(elapsedMs < HEADER.toMillis() + 1200,
                "408 after " + elapsedMs + " ms: the deadline counted from the first byte, not from accept");
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.rejected("timeout") == 1);
    }

    @Test
    void bodySlowerThanTheMinimumRateGets408AfterTheGraceAndTheConnectionCloses() {
        start(ClientFixture.limits(HEADER, READ, MIN_RATE, GRACE, KEEP_ALIVE));
        SlowSocket s = connect();
        s.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n");
        long start = System.nanoTime();

        // About 4 bytes a second, far under 1000 bytes/s, yet every read comes within the read timeout.
        SlowSocket.Trickled trickled = s.trickle("b".repeat(100).getBytes(StandardCharsets.US_ASCII),
                Duration.ofMillis(250));
        byte[] raw = s.readToEnd(Duration.ofSeconds(5));
        long elapsedMs = millisSince(start);

        assertTrue(trickled.answered(), "the server answered before the body ended: " + trickled);
        SlowSocket.Answer answer = SlowSocket.parse(raw);
        assertEquals(408, answer.status(), answer::bodyText);
        assertEquals("close", answer.header("Connection"));
        assertTrue(answer.bodyText().contains("slower than 1000 bytes/s"), answer.bodyText());
        assertTrue(elapsedMs >= GRACE.toMillis(), "408 after " + elapsedMs + " ms, inside the grace period");
        assertTrue(elapsedMs < GRACE.toMillis() + 2000, "408 only after " + elapsedMs + " ms");
        assertEquals(1, bodyFailures.size(), "the handler's read failed");
        HttpException failure = assertInstanceOf(HttpException.class, bodyFailures.get(0));
        assertEquals(408, failure.status());
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.rejected("timeout") == 1);
    }

    @Test
    void bodyThatStopsGets408AfterTheReadTimeout() {
        start(ClientFixture.limits(HEADER, READ, 0, GRACE, KEEP_ALIVE));
        SlowSocket s = connect();
        s.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n" + "c".repeat(10));
        long start = System.nanoTime();

        byte[] raw = s.readToEnd(Duration.ofSeconds(5));
        long elapsedMs = millisSince(start);

        SlowSocket.Answer answer = SlowSocket.parse(raw);
        assertEquals(408, answer.status(), answer::bodyText);
        assertEquals("close", answer.header("Connection"));
        assertTrue(elapsedMs >= READ.toMillis() - 50, "408 after " + elapsedMs + " ms");
        assertTrue(elapsedMs < READ.toMillis() + 2000, "408 only after " + elapsedMs + " ms");
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.rejected("timeout") == 1);
    }

    @Test
    void clientThatSendsNothingIsClosedSilentlyAtTheHeaderTimeout() {
        start(ClientFixture.limits(HEADER, READ, MIN_RATE, GRACE, KEEP_ALIVE));

        long start = System.nanoTime();
        SlowSocket s = connect();
        byte[] raw = s.readToEnd(Duration.ofSeconds(5));
        long elapsedMs = millisSince(start);

        assertEquals("", new String(raw, StandardCharsets.ISO_8859_1), "closed without a response");
        assertFalse(s.wasReset(), "closed with FIN, not reset");
        assertTrue(elapsedMs >= HEADER.toMillis(), "closed after " + elapsedMs + " ms, before the header timeout");
        assertTrue(elapsedMs < 2 * HEADER.toMillis(), "closed only after " + elapsedMs + " ms");
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.closed("read_timeout") == 1);
        assertEquals(0, fixture.rejected("timeout"), "a request that never began is not a rejected request");
    }

    @Test
    void keepAliveConnectionIdlePastTheKeepAliveTimeoutIsClosedSilently() {
        Duration keepAlive = Duration.ofSeconds(1);
        // Header and read timeouts longer than the keep-alive one, so only the keep-alive one can end it.
        start(ClientFixture.limits(Duration.ofSeconds(5), Duration.ofSeconds(4), MIN_RATE, GRACE, keepAlive));
        SlowSocket s = connect();

        s.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals(200, s.readAnswer(Duration.ofSeconds(5)).status());
        s.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        SlowSocket.Answer second = s.readAnswer(Duration.ofSeconds(5));
        long idleSince = System.nanoTime();
        byte[] rest = s.readToEnd(Duration.ofSeconds(5));
        long idleMs = millisSince(idleSince);

        assertEquals(200, second.status());
        assertEquals(null, second.header("Connection"), "the connection was kept");
        assertEquals("", new String(rest, StandardCharsets.ISO_8859_1), "closed without a response");
        assertFalse(s.wasReset(), "closed with FIN, not reset");
        assertTrue(idleMs >= keepAlive.toMillis() - 50, "closed after " + idleMs + " ms idle");
        assertTrue(idleMs < keepAlive.toMillis() + 1500, "closed only after " + idleMs + " ms idle");
        assertEquals(2, handled.get());
        assertEquals(0, fixture.rejected("timeout"));
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.closed("read_timeout") == 1);
    }

    @Test
    void twoHundredSlowConnectionsDoNotDelayANormalClient() {
        Duration header = Duration.ofSeconds(4);
        // A read timeout longer than the header one: the slow heads, silent after their first line, meet the deadline.
        start(ClientFixture.limits(header, Duration.ofSeconds(6), MIN_RATE, GRACE, KEEP_ALIVE));
        int slow = 200;

        long start = System.nanoTime();
        List<SlowSocket> held = new ArrayList<>();
        for (int i = 0; i < slow; i++) {
            SlowSocket s = connect();
            s.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow-" + i + ": ");
            held.add(s);
        }
        await().atMost(Duration.ofSeconds(3)).until(() -> fixture.server().activeConnections() >= slow);

        long worstMs = 0;
        for (int i = 0; i < 20; i++) {
            long t = System.nanoTime();
            try (SlowSocket normal = SlowSocket.connect(fixture.port())) {
                normal.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                SlowSocket.Answer answer = normal.readAnswer(Duration.ofSeconds(2));
                assertEquals(200, answer.status());
                assertEquals("hello\n", answer.bodyText());
            }
            worstMs = Math.max(worstMs, millisSince(t));
        }
        long servedWithinMs = millisSince(start);

        assertTrue(worstMs < 1000, "slowest normal request took " + worstMs + " ms");
        assertTrue(servedWithinMs < header.toMillis(), "the normal client was served while the slow ones were held ("
                + servedWithinMs + " ms)");
        assertTrue(fixture.server().activeConnections() >= slow, "the slow connections are still open");
        for (SlowSocket s : held) {
            SlowSocket.Answer answer = SlowSocket.parse(s.readToEnd(Duration.ofSeconds(6)));
            assertEquals(408, answer.status());
        }
        assertTrue(millisSince(start) >= header.toMillis(), "cut at the header deadline, not before");
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.rejected("timeout") == slow);
        assertEquals(20, handled.get());
    }

    private static long millisSince(long nanoStart) {
        return (System.nanoTime() - nanoStart) / 1_000_000;
    }
}
