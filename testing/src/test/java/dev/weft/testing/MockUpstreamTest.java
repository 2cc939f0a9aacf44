package dev.weft.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MockUpstream's well-behaved side: responses as scripted, and requests recorded exactly. */
@ExtendWith(LeakCheck.class)
class MockUpstreamTest {

    private MockUpstream upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = MockUpstream.start(); // after LeakCheck's snapshot: its listening socket must be closed too
    }

    @AfterEach
    void close() {
        upstream.close();
    }

    @Test
    void answersAsScriptedAndRecordsTheRequestAsSent() throws Exception {
        upstream.enqueue(Answer.ok("hello").header("X-Served-By", "mock"));
        try (RawClient client = new RawClient(upstream)) {
            client.send("GET /a/b?x=1 HTTP/1.1\r\nHost: example\r\nX-Case: One  \r\nx-case:\ttwo\r\n\r\n");
            String expected = "HTTP/1.1 200 OK\r\nX-Served-By: mock\r\nContent-Length: 5\r\n\r\nhello";
            assertEquals(expected, client.read(expected.length()));

            RecordedRequest r = upstream.takeRequest();
            assertEquals("GET", r.method());
            assertEquals("/a/b?x=1", r.target());
            assertEquals("HTTP/1.1", r.version());
            assertEquals("GET /a/b?x=1 HTTP/1.1", r.requestLine());
            assertEquals(List.of(new RecordedRequest.Field("Host", "example"), new RecordedRequest.Field("X-Case", "One"),
                    new RecordedRequest.Field("x-case", "two")), r.headers());
            assertEquals("One", r.header("x-CASE"));
            assertEquals(List.of("One", "two"), r.headerValues("X-CASE"));
            assertNull(r.header("Content-Length"));
            assertEquals(0, r.body().length);
            assertTrue(r.bodyComplete());
            assertEquals(0, r.connectionIndex());
            assertEquals(0, r.requestIndex());
            assertEquals(client.socket.getLocalPort(), r.peer().getPort());
            assertEquals("127.0.0.1", r.peer().getAddress().getHostAddress());
        }
        assertEquals(1, upstream.connectionCount());
        assertEquals(1, upstream.requestCount());
        assertEquals(URI.create("http://127.0.0.1:" + upstream.port() + "/x?y"), upstream.uri("/x?y"));
    }

    @Test
    void keepAliveRequestsShowTheirConnectionAndPlaceOnIt() throws Exception {
        upstream.enqueue(Answer.ok("1"), Answer.ok("2"), Answer.ok("3"));
        String ok = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n";
        try (RawClient first = new RawClient(upstream)) {
            first.send("GET /1 HTTP/1.1\r\n\r\n");
            assertEquals(ok + "1", first.read(ok.length() + 1));
            first.send("GET /2 HTTP/1.1\r\n\r\n");
            assertEquals(ok + "2", first.read(ok.length() + 1));
            try (RawClient second = new RawClient(upstream)) {
                second.send("GET /3 HTTP/1.1\r\n\r\n");
                assertEquals(ok + "3", second.read(ok.length() + 1));
            }
        }
        RecordedRequest one = upstream.takeRequest();
        RecordedRequest two = upstream.takeRequest();
        RecordedRequest three = upstream.takeRequest();
        assertEquals(List.of("/1", "/2", "/3"), List.of(one.target(), two.target(), three.target()));
        assertEquals(List.of(0, 0, 1), List.of(one.connectionIndex(), two.connectionIndex(), three.connectionIndex()));
        assertEquals(List.of(0, 1, 0), List.of(one.requestIndex(), two.requestIndex(), three.requestIndex()));
        assertEquals(one.peer(), two.peer());
        assertEquals(2, upstream.connectionCount());
        assertEquals(3, upstream.requestCount());
    }

    @Test
    void contentLengthAndChunkedRequestBodiesAreDecoded() throws Exception {
        upstream.enqueue(Answer.status(204), Answer.status(204));
        String noContent = "HTTP/1.1 204 No Content\r\n\r\n";
        try (RawClient client = new RawClient(upstream)) {
            client.send("POST /len HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world");
            assertEquals(noContent, client.read(noContent.length()));
            client.send("POST /chunked HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                    + "5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n");
            assertEquals(noContent, client.read(noContent.length()));
        }
        assertEquals("hello world", upstream.takeRequest().bodyAsString());
        RecordedRequest chunked = upstream.takeRequest();
        assertEquals("hello 0123456789", chunked.bodyAsString());
        assertEquals(16, chunked.bodySize());
        assertTrue(chunked.bodyComplete());
        assertEquals(1, chunked.requestIndex(), "the trailer was read to its end: the next request parsed");
    }

    @Test
    void bodiesBeyondTheRecordingLimitAreCountedNotKept() throws Exception {
        upstream.maxRecordedBody(10).enqueue(Answer.status(204), Answer.status(204));
        String noContent = "HTTP/1.1 204 No Content\r\n\r\n";
        try (RawClient client = new RawClient(upstream)) {
            client.send("PUT /big HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + "x".repeat(100));
            assertEquals(noContent, client.read(noContent.length()));
            client.send("GET /next HTTP/1.1\r\n\r\n");
            assertEquals(noContent, client.read(noContent.length()));
        }
        RecordedRequest big = upstream.takeRequest();
        assertArrayEquals("x".repeat(10).getBytes(), big.body());
        assertEquals(100, big.bodySize());
        assertTrue(big.bodyTruncated());
        assertTrue(big.bodyComplete());
        assertEquals("/next", upstream.takeRequest().target());
    }

    @Test
    void aBodyTheClientCutShortIsRecordedAsIncomplete() throws Exception {
        try (RawClient client = new RawClient(upstream)) {
            client.send("POST /upload HTTP/1.1\r\nContent-Length: 10\r\n\r\nabcd");
            client.socket.shutdownOutput();
            assertEquals("", client.readToEnd(), "no answer to a request that never ended");
        }
        RecordedRequest r = upstream.takeRequest();
        assertEquals("abcd", r.bodyAsString());
        assertEquals(4, r.bodySize());
        assertFalse(r.bodyComplete());
    }

    @Test
    void aChunkedResponseThenClose() throws Exception {
        upstream.enqueue(Answer.ok("hello world").chunked(4).connectionClose());
        try (RawClient client = new RawClient(upstream)) {
            client.send("GET / HTTP/1.1\r\n\r\n");
            assertEquals("HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4\r\nhell\r\n4\r\no wo\r\n3\r\nrld\r\n0\r\n\r\n", client.readToEnd());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 0);
    }

    @Test
    void theDefaultAnswerServesAnEmptyQueue() throws Exception {
        try (RawClient client = new RawClient(upstream)) {
            String body = "MockUpstream: no answer was queued for this request\n";
            String notFound = "HTTP/1.1 404 Not Found\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
            client.send("GET /unscripted HTTP/1.1\r\n\r\n");
            assertEquals(notFound, client.read(notFound.length()));

            upstream.defaultAnswer(Answer.status(503).reason("Go Away").header("Retry-After", "1"));
            client.send("GET /again HTTP/1.1\r\n\r\n");
            String unavailable = "HTTP/1.1 503 Go Away\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n";
            assertEquals(unavailable, client.read(unavailable.length()));
            client.send("GET /and-again HTTP/1.1\r\n\r\n");
            assertEquals(unavailable, client.read(unavailable.length()));
        }
        assertEquals(3, upstream.requestCount());
    }

    @Test
    void anAnswerCanSpeakFirstAndEchoLikeARawTcpServer() throws Exception {
        upstream.enqueue(Answer.raw("220 ready\r\n").onAccept().thenEcho());
        try (RawClient client = new RawClient(upstream)) {
            assertEquals("220 ready\r\n", client.read(11));
            client.send("not http at all");
            assertEquals("not http at all", client.read(15));
            client.socket.shutdownOutput();
            assertEquals("", client.readToEnd());
        }
        assertEquals(0, upstream.requestCount());
        assertEquals(1, upstream.connectionCount());
    }

    @Test
    void aContradictoryAnswerFailsWhenQueued() {
        assertThrows(IllegalStateException.class, () -> upstream.enqueue(Answer.ok("x").closeInChunk()));
        assertThrows(IllegalStateException.class, () -> Answer.raw("x").header("A", "b"));
        assertThrows(IllegalArgumentException.class, () -> Answer.status(42));
        assertThrows(IllegalArgumentException.class, () -> Answer.ok("x").delay(Duration.ofSeconds(-1)));
    }

    @Test
    void closeEndsStallsAndClosesEveryConnection() throws Exception {
        upstream.enqueue(Answer.noAnswer(), Answer.ok("late").delay(Duration.ofMinutes(5)));
        try (RawClient stalled = new RawClient(upstream); RawClient delayed = new RawClient(upstream)) {
            stalled.send("GET /never HTTP/1.1\r\n\r\n");
            upstream.takeRequest();
            delayed.send("GET /later HTTP/1.1\r\n\r\n");
            upstream.takeRequest();
            assertEquals(2, upstream.openConnections());
            long start = System.nanoTime();
            upstream.close();
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos(), "close() did not wait for the stalls");
            assertEquals("", stalled.readToEnd());
            assertEquals("", delayed.readToEnd());
            assertEquals(0, upstream.openConnections());
        }
    }
}
