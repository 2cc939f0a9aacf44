package dev.weft.http;

import static dev.weft.http.RawHttpClient.head;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.RawHttpClient.RawResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Persistent connections (RFC 9112 section 9.3): who decides that a connection carries another
 * request, what the response says about it, and that the server then really keeps or closes it.
 */
class ServerKeepAliveTest {

    private final ServerHarness harness = new ServerHarness();
    private final AtomicInteger bodiesRead = new AtomicInteger();

    @AfterEach
    void close() {
        harness.close();
    }

    /** The routes every test here uses, on a server with {@code limits}. */
    private HttpServer start(HttpLimits limits) {
        return harness.start(b -> b.limits(limits)
                .get("/n/{i}", (req, res) -> res.send(req.pathParam("i")))
                .post("/echo", (req, res) -> {
                    byte[] body = req.bodyBytes();
                    bodiesRead.incrementAndGet();
                    res.send(body);
                })
                .post("/ignore", (req, res) -> res.send("ignored"))
                .get("/close", (req, res) -> {
                    res.header("Connection", "close");
                    res.send("bye");
                }));
    }

    private HttpServer start() {
        return start(HttpLimits.DEFAULTS);
    }

    /** The defaults with {@code maxRequestsPerConnection} and the idle-related timeouts replaced. */
    static HttpLimits limits(int maxRequestsPerConnection, Duration headerTimeout, Duration keepAliveTimeout) {
        return limits(maxRequestsPerConnection, headerTimeout, HttpLimits.DEFAULTS.readTimeout(), keepAliveTimeout);
    }

    static HttpLimits limits(int maxRequestsPerConnection, Duration headerTimeout, Duration readTimeout,
            Duration keepAliveTimeout) {
        HttpLimits d = HttpLimits.DEFAULTS;
        return new HttpLimits(d.maxRequestLineLength(), d.maxHeaderSize(), d.maxHeaderCount(), d.maxBodySize(),
                d.maxChunkExtensionSize(), d.maxTrailerSize(), headerTimeout, readTimeout, d.minBodyRate(),
                d.bodyRateGrace(), keepAliveTimeout, d.sendTimeout(), d.minSendRate(), d.sendRateGrace(),
                maxRequestsPerConnection);
    }

    private static String get(String path, String... fields) {
        String[] lines = new String[fields.length + 2];
        lines[0] = "GET " + path + " HTTP/1.1";
        lines[1] = "Host: h";
        System.arraycopy(fields, 0, lines, 2, fields.length);
        return head(lines);
    }

    @Test
    void http11KeepsTheConnectionByDefault() throws IOException {
        start();
        RawHttpClient client = harness.connect();
        for (int i = 0; i < 5; i++) {
            RawResponse r = client.send(get("/n/" + i)).readResponse();
            assertEquals(200, r.status);
            assertEquals(Integer.toString(i), r.bodyText());
            assertNull(r.header("Connection"), () -> "HTTP/1.1 needs no Connection field to persist:\n" + r);
        }
        assertEquals(1, harness.server().activeConnections());
    }

    @Test
    void clientConnectionCloseIsAnsweredWithCloseAndTheServerCloses() throws IOException {
        start();
        RawHttpClient client = harness.connect();
        // A request pipelined after the closing one must not be answered.
        RawResponse r = client.send(get("/n/1", "Connection: close") + get("/n/2")).readResponse();
        assertEquals(200, r.status);
        assertEquals("1", r.bodyText());
        assertEquals("close", r.header("Connection"));
        assertTrue(client.awaitClose());
    }

    @Test
    void connectionCloseIsFoundAmongOtherConnectionOptions() throws IOException {
        start();
        RawHttpClient client = harness.connect();
        RawResponse r = client.send(get("/n/1", "Connection: X-Foo, CLOSE")).readResponse();
        assertEquals("close", r.header("Connection"));
        assertTrue(client.awaitClose());
    }

    @Test
    void http10ClosesByDefault() throws IOException {
        start();
        RawHttpClient client = harness.connect();
        RawResponse r = client.send(head("GET /n/7 HTTP/1.0") + get("/n/8")).readResponse();
        assertEquals(200, r.status);
        assertEquals("7", r.bodyText());
        assertEquals("close", r.header("Connection"));
        assertTrue(client.awaitClose());
    }

    @Test
    void http10KeepsAliveWhenAskedAndSaysSo() throws IOException {
        start();
        RawHttpClient client = harness.connect();
        for (int i = 0; i < 3; i++) {
            RawResponse r = client.send(head("GET /n/" + i + " HTTP/1.0", "Connection: keep-alive")).readResponse();
            assertEquals(200, r.status);
            assertEquals(Integer.toString(i), r.bodyText());
            assertEquals("keep-alive", r.header("Connection"));
            assertFalse(r.closeDelimited);
        }
        // The same connection, a 1.0 request without keep-alive: the last one.
        RawResponse last = client.send(head("GET /n/9 HTTP/1.0")).readResponse();
        assertEquals("9", last.bodyText());
        assertEquals("close", last.header("Connection"));
        assertTrue(client.awaitClose());
    }

    @Test
    void handlerSettingConnectionCloseClosesTheConnection() throws IOException {
        start();
        RawHttpClient client = harness.connect();
        RawResponse r = client.send(get("/close") + get("/n/2")).readResponse();
        assertEquals("bye", r.bodyText());
        assertEquals(1, r.headers("Connection").size(), r::toString);
        assertEquals("close", r.header("Connection"));
        assertTrue(client.awaitClose());
    }

    @Test
    void maxRequestsPerConnectionClosesAfterTheLast() throws IOException {
        start(limits(3, HttpLimits.DEFAULTS.headerTimeout(), HttpLimits.DEFAULTS.keepAliveTimeout()));
        RawHttpClient client = harness.connect();
        for (int i = 1; i <= 2; i++) {
            RawResponse r = client.send(get("/n/" + i)).readResponse();
            assertEquals(Integer.toString(i), r.bodyText());
            assertNull(r.header("Connection"), r::toString);
        }
        RawResponse third = client.send(get("/n/3") + get("/n/4")).readResponse();
        assertEquals("3", third.bodyText());
        assertEquals("close", third.header("Connection"));
        assertTrue(client.awaitClose());

        // A fresh connection gets its own three.
        RawHttpClient again = harness.connect();
        assertEquals("5", again.send(get("/n/5")).readResponse().bodyText());
    }

    @Test
    void maxRequestsPerConnectionOfOneClosesAfterTheFirst() throws IOException {
        start(limits(1, HttpLimits.DEFAULTS.headerTimeout(), HttpLimits.DEFAULTS.keepAliveTimeout()));
        RawHttpClient client = harness.connect();
        RawResponse r = client.send(get("/n/1") + get("/n/2")).readResponse();
        assertEquals("close", r.header("Connection"));
        assertTrue(client.awaitClose());
    }

    @Test
    void hundredPipelinedRequestsInOneWriteAreAnsweredInOrder() throws IOException {
        start();
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            if (i % 3 == 1) {
                String body = "body of request " + i;
                batch.append(head("POST /echo HTTP/1.1", "Host: h", "Content-Length: " + body.length())).append(body);
            } else if (i % 3 == 2) {
                String body = "chunked request " + i;
                batch.append(head("POST /echo HTTP/1.1", "Host: h", "Transfer-Encoding: chunked"))
                        .append(Integer.toHexString(body.length())).append("\r\n").append(body).append("\r\n0\r\n\r\n");
            } else {
                batch.append(get("/n/" + i));
            }
        }
        RawHttpClient client = harness.connect();
        client.send(batch.toString());
        for (int i = 0; i < 100; i++) {
            RawResponse r = client.readResponse();
            assertEquals(200, r.status, "response " + i);
            String expected = i % 3 == 1 ? "body of request " + i : i % 3 == 2 ? "chunked request " + i
                    : Integer.toString(i);
            assertEquals(expected, r.bodyText(), "response " + i);
            assertNull(r.header("Connection"));
        }
        // And the connection still serves the next one.
        assertEquals("100", client.send(get("/n/100")).readResponse().bodyText());
        assertEquals(66, bodiesRead.get());
    }

    @Test
    void aSmallUnreadBodyIsDrainedAndTheConnectionServesTheNextRequest() throws IOException {
        start();
        RawHttpClient client = harness.connect();
        String body = "x".repeat(1000);
        // The body holds what looks like a request: it must be skipped, not served.
        String inner = get("/n/666");
        RawResponse r = client.send(head("POST /ignore HTTP/1.1", "Host: h", "Content-Length: " + (inner.length()
                + body.length())) + inner + body).readResponse();
        assertEquals("ignored", r.bodyText());
        assertNull(r.header("Connection"), r::toString);
        assertEquals("2", client.send(get("/n/2")).readResponse().bodyText());
    }

    @Test
    void oneStrayCrlfAfterABodyIsSkipped() throws IOException {
        start();
        RawHttpClient client = harness.connect();
        client.send(head("POST /echo HTTP/1.1", "Host: h", "Content-Length: 3") + "abc\r\n" + get("/n/2"));
        assertEquals("abc", client.readResponse().bodyText());
        assertEquals("2", client.readResponse().bodyText(), "RFC 9112 section 2.2: one empty line is ignored");
    }

    @Test
    void aSmallUnreadChunkedBodyIsDrained() throws IOException {
        start();
        RawHttpClient client = harness.connect();
        RawResponse r = client.send(head("POST /ignore HTTP/1.1", "Host: h", "Transfer-Encoding: chunked")
                + "400\r\n" + "c".repeat(1024) + "\r\n0\r\nX-T: 1\r\n\r\n" + get("/n/3")).readResponse();
        assertEquals("ignored", r.bodyText());
        assertEquals("3", client.readResponse().bodyText());
    }

    @Test
    void aBigUnreadBodyClosesTheConnectionAfterTheResponse() throws IOException {
        start();
        RawHttpClient client = harness.connect();
        int size = 100 * 1024; // more than the 64 KiB the server drains
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                client.send(head("POST /ignore HTTP/1.1", "Host: h", "Content-Length: " + size) + "b".repeat(size)
                        + get("/n/2"));
            } catch (IOException e) {
                // the server may stop reading: what matters is what it answered
            }
        });
        RawResponse r = client.readResponse();
        assertEquals(200, r.status);
        assertEquals("ignored", r.bodyText());
        assertTrue(client.awaitClose(), "no answer to the request after the body");
        sending.orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestsGetsEveryResponse() throws IOException {
        start();
        RawHttpClient client = harness.connect();
        client.send(get("/n/1") + head("POST /echo HTTP/1.1", "Host: h", "Content-Length: 3") + "abc" + get("/n/3"));
        client.shutdownOutput();
        assertEquals("1", client.readResponse().bodyText());
        assertEquals("abc", client.readResponse().bodyText());
        assertEquals("3", client.readResponse().bodyText());
        assertTrue(client.awaitClose());
    }

    @Test
    void idleConnectionIsClosedSilentlyAfterTheKeepAliveTimeout() throws IOException {
        start(limits(0, HttpLimits.DEFAULTS.headerTimeout(), Duration.ofMillis(300)));
        RawHttpClient client = harness.connect();
        assertEquals("1", client.send(get("/n/1")).readResponse().bodyText());
        long start = System.nanoTime();
        assertTrue(client.awaitClose(), "closed without a response");
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250), "not before the timeout");
    }

    @Test
    void incompleteHeadGets408AfterTheHeaderTimeout() throws IOException {
        start(limits(0, Duration.ofMillis(500), HttpLimits.DEFAULTS.keepAliveTimeout()));
        RawHttpClient client = harness.connect();
        RawResponse r = client.send("GET /n/1 HTTP/1.1\r\nHost: h\r\n").readResponse();
        assertEquals(408, r.status);
        assertEquals("close", r.header("Connection"));
        assertTrue(client.awaitClose());
    }

    @Test
    void aSecondRequestWhoseHeadStallsGets408() throws IOException {
        start(limits(0, Duration.ofMillis(500), HttpLimits.DEFAULTS.keepAliveTimeout()));
        RawHttpClient client = harness.connect();
        assertEquals("1", client.send(get("/n/1")).readResponse().bodyText());
        RawResponse r = client.send("GET /n/2 HTTP/1.1\r\n").readResponse();
        assertEquals(408, r.status);
        assertEquals("close", r.header("Connection"));
        assertTrue(client.awaitClose());
    }

    @Test
    void aBodyThatStallsGets408AndTheConnectionCloses() throws IOException {
        start(limits(0, HttpLimits.DEFAULTS.headerTimeout(), Duration.ofMillis(300),
                HttpLimits.DEFAULTS.keepAliveTimeout()));
        RawHttpClient client = harness.connect();
        RawResponse r = client.send(head("POST /echo HTTP/1.1", "Host: h", "Content-Length: 10") + "only").readResponse();
        assertEquals(408, r.status, r::toString);
        assertEquals("close", r.header("Connection"));
        assertTrue(client.awaitClose());
        assertEquals(0, bodiesRead.get());
    }

    @Test
    void closingTheServerEndsIdleConnectionsAndLetsARequestInFlightFinishWithClose() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = harness.start(b -> b
                .get("/n/{i}", (req, res) -> res.send(req.pathParam("i")))
                .get("/slow", (req, res) -> {
                    entered.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    res.send("slow done");
                }));
        RawHttpClient idle = harness.connect();
        assertEquals("1", idle.send(get("/n/1")).readResponse().bodyText());
        RawHttpClient busy = harness.connect();
        busy.send(get("/slow"));
        assertTrue(entered.await(10, TimeUnit.SECONDS));

        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        await().atMost(Duration.ofSeconds(10)).until(server::isClosing);
        assertTrue(idle.awaitClose(), "an idle keep-alive connection ends at once");
        release.countDown();
        RawResponse r = busy.readResponse();
        assertEquals("slow done", r.bodyText());
        assertEquals("close", r.header("Connection"));
        assertTrue(busy.awaitClose());
        closing.orTimeout(10, TimeUnit.SECONDS).join();
    }
}
