package dev.weft.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every misbehaviour MockUpstream scripts, seen by a plain socket: the exact bytes, the timing, the reset. */
@ExtendWith(LeakCheck.class)
class MockUpstreamHostileTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";

    private MockUpstream upstream;

    @BeforeEach
    void start() throws IOException {
        upstream = MockUpstream.start(); // after LeakCheck's snapshot: its listening socket must be closed too
    }

    @AfterEach
    void close() {
        upstream.close();
    }

    private static void assertReset(RawClient client) {
        SocketException e = assertThrows(SocketException.class, () -> client.in.read());
        assertEquals("Connection reset", e.getMessage());
    }

    private static long millisSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }

    @Test
    void refuseMakesConnectsFail() throws Exception {
        try (RawClient before = new RawClient(upstream)) {
            // Accepted, not only queued: closing the listener resets connections still in its backlog.
            await().atMost(Duration.ofSeconds(5)).until(() -> upstream.connectionCount() == 1);
            upstream.refuse();
            before.send(GET);
            assertEquals("HTTP/1.1 404", before.read(12), "a connection accepted earlier is still served");
        }
        try (Socket s = new Socket()) {
            ConnectException e = assertThrows(ConnectException.class, () -> s.connect(upstream.address(), 2000));
            assertTrue(e.getMessage().startsWith("Connection refused"), e.getMessage());
        }
        assertEquals(1, upstream.connectionCount());
    }

    @Test
    void resetOnAcceptResetsBeforeReadingAnything() throws Exception {
        upstream.defaultAnswer(Answer.resetOnAccept());
        for (int i = 0; i < 2; i++) {
            try (Socket s = new Socket()) {
                // The RST can beat the end of a timed connect (its poll then says "Connection reset
                // by peer") or arrive after it (the first read says "Connection reset").
                SocketException e = assertThrows(SocketException.class, () -> {
                    s.connect(upstream.address(), 2000);
                    s.setSoTimeout((int) RawClient.READ_BOUND.toMillis());
                    s.getInputStream().read();
                });
                assertTrue(e.getMessage().startsWith("Connection reset"), e.getMessage());
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.connectionCount() == 2);
        assertEquals(2, upstream.connectionCount());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void resetAfterSomeBytesOfTheResponse() throws Exception {
        upstream.enqueue(Answer.ok("hello").resetAfter(10));
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            assertEquals("HTTP/1.1 2", client.read(10));
            assertReset(client);
        }
    }

    @Test
    void resetAfterTheRequestHeadLeavesTheBodyUnread() throws Exception {
        upstream.enqueue(Answer.resetAfterRequestHead());
        try (RawClient client = new RawClient(upstream)) {
            client.send("POST /upload HTTP/1.1\r\nContent-Length: 5\r\n\r\n");
            RecordedRequest r = upstream.takeRequest();
            assertEquals("/upload", r.target());
            assertEquals(0, r.bodySize());
            assertFalse(r.bodyComplete(), "a body was announced and not read");
            assertReset(client);
        }
    }

    @Test
    void noAnswerHoldsTheConnectionOpenUntilTheUpstreamCloses() throws Exception {
        upstream.enqueue(Answer.noAnswer());
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            upstream.takeRequest();
            client.readTimeout(Duration.ofMillis(300));
            assertThrows(SocketTimeoutException.class, () -> client.in.read());
            assertEquals(1, upstream.openConnections());
            upstream.close();
            assertEquals(-1, client.in.read());
        }
    }

    @Test
    void aDelayHoldsTheWholeResponseBack() throws Exception {
        upstream.enqueue(Answer.ok("late").delay(Duration.ofMillis(400)));
        try (RawClient client = new RawClient(upstream)) {
            long start = System.nanoTime();
            client.send(GET);
            assertEquals('H', client.in.read());
            assertTrue(millisSince(start) >= 400, "first byte after " + millisSince(start) + " ms");
            String rest = "TTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate";
            assertEquals(rest, client.read(rest.length()));
        }
    }

    @Test
    void aStallInsideTheHead() throws Exception {
        upstream.enqueue(Answer.ok("hello").stallAfter(9), Answer.ok("hello").stallAfter(9, Duration.ofMillis(300)));
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            assertEquals("HTTP/1.1 ", client.read(9));
            client.readTimeout(Duration.ofMillis(300));
            assertThrows(SocketTimeoutException.class, () -> client.in.read(), "stalled for good after 9 bytes");
        }
        try (RawClient client = new RawClient(upstream)) {
            long start = System.nanoTime();
            client.send(GET);
            assertEquals("HTTP/1.1 ", client.read(9));
            assertEquals("200 OK\r\nContent-Length: 5\r\n\r\nhello", client.read(34));
            assertTrue(millisSince(start) >= 300, "the rest after " + millisSince(start) + " ms");
        }
    }

    @Test
    void aStallInsideTheBody() throws Exception {
        upstream.enqueue(Answer.ok("hello").stallInBody(2), Answer.ok("abcdefgh").chunked(4).stallInBody(5));
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            assertEquals(head + "he", client.read(head.length() + 2));
            client.readTimeout(Duration.ofMillis(300));
            assertThrows(SocketTimeoutException.class, () -> client.in.read());
        }
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            assertEquals("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", client.readHead());
            assertEquals("4\r\nab", client.read(5), "positions in a chunked body count its framing");
            client.readTimeout(Duration.ofMillis(300));
            assertThrows(SocketTimeoutException.class, () -> client.in.read());
        }
    }

    @Test
    void aTrickleWritesAFewBytesAtATime() throws Exception {
        String response = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
        upstream.enqueue(Answer.ok("0123456789").trickle(5, Duration.ofMillis(30)));
        try (RawClient client = new RawClient(upstream)) {
            long start = System.nanoTime();
            client.send(GET);
            StringBuilder seen = new StringBuilder();
            int reads = 0;
            byte[] buffer = new byte[1024];
            while (seen.length() < response.length()) {
                int n = client.in.read(buffer);
                assertTrue(n > 0);
                seen.append(RawClient.text(java.util.Arrays.copyOf(buffer, n)));
                reads++;
            }
            long writes = (response.length() + 4) / 5;
            assertEquals(response, seen.toString());
            assertTrue(millisSince(start) >= (writes - 1) * 30, "all " + writes + " writes in " + millisSince(start) + " ms");
            assertTrue(reads > 1, "it arrived in pieces, not in " + reads + " read");
        }
    }

    @Test
    void malformedHeads() throws Exception {
        upstream.enqueue(Answer.garbageStatusLine(), Answer.badHeaderLine(), Answer.conflictingContentLengths(),
                Answer.oversizedHead(70));
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            assertEquals("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", client.readToEnd());
        }
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nthis line has no colon\r\n\r\nok", client.readToEnd());
        }
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!", client.readToEnd());
        }
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            String head = client.readHead();
            assertTrue(head.length() > 70 * 1024 && head.length() < 71 * 1024, head.length() + " bytes");
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\nX-Filler-0000: fff"));
            assertTrue(head.endsWith("\r\nContent-Length: 0\r\n\r\n"));
        }
    }

    @Test
    void aContentLengthThatPromisesMoreThanIsSent() throws Exception {
        upstream.enqueue(Answer.ok("short").declaredLength(100).thenClose());
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", client.readToEnd());
        }
    }

    @Test
    void aContentLengthThatPromisesLessThanIsSent() throws Exception {
        upstream.enqueue(Answer.ok("hello world").declaredLength(5), Answer.ok("next"));
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            String expected = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello world";
            assertEquals(expected, client.read(expected.length()));
            client.send(GET);
            assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext", client.read(42));
        }
    }

    @Test
    void aChunkedBodyCutInsideAChunk() throws Exception {
        upstream.enqueue(Answer.ok("abcdefghij").chunked(4).closeInChunk());
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            assertEquals("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n2\r\ni",
                    client.readToEnd());
        }
    }

    @Test
    void rawBytesAreWrittenAsGiven() throws Exception {
        byte[] bytes = {0, 1, 2, (byte) 0xff, '\r', '\n'};
        upstream.enqueue(Answer.raw(bytes).thenClose());
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            assertArrayEquals(bytes, client.in.readAllBytes());
        }
    }

    @Test
    void switchingProtocolsThenEchoesLikeATunnel() throws Exception {
        upstream.enqueue(Answer.switchingProtocols());
        try (RawClient client = new RawClient(upstream)) {
            client.send("GET /tunnel HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly bytes|");
            assertEquals("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n", client.readHead());
            assertEquals("early bytes|", client.read(12), "bytes sent with the head are echoed too");
            client.send("\u0000binary\u00ff");
            assertEquals("\u0000binary\u00ff", client.read(8));
            client.socket.shutdownOutput();
            assertEquals(-1, client.in.read());
        }
        assertEquals("/tunnel", upstream.takeRequest().target());
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 0);
    }

    @Test
    void aStallOrPauseEndsWhenTheUpstreamCloses() throws Exception {
        upstream.enqueue(Answer.ok("x").stallAfter(4, Duration.ofMinutes(10)));
        try (RawClient client = new RawClient(upstream)) {
            client.send(GET);
            assertEquals("HTTP", client.read(4));
            long start = System.nanoTime();
            upstream.close();
            assertEquals(-1, client.in.read());
            assertTrue(millisSince(start) < 3000, "close took " + millisSince(start) + " ms");
        }
    }
}
