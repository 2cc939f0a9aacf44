package dev.weft.http;

import static dev.weft.http.RawHttpClient.head;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.RawHttpClient.RawResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP meters, by their public names and tags (spelled out here, so renaming one fails a test):
 * {@code http.server.requests} tagged by route template and never by raw path,
 * {@code weft.http.requests.rejected} by reason, {@code http.server.requests.active}, and that all
 * of them leave the registry when the server closes.
 */
class ServerMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ServerHarness harness = new ServerHarness();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() {
        harness.start(b -> b.limits(HttpLimits.DEFAULTS.withMaxRequestLineLength(128).withMaxHeaderSize(512)
                        .withMaxBodySize(64))
                .get("/users/{id}", (req, res) -> res.send("user"))
                .post("/users/{id}", (req, res) -> res.send(req.bodyBytes()))
                .get("/", (req, res) -> res.send("root"))
                .get("/boom", (req, res) -> {
                    throw new IllegalStateException("boom");
                })
                .get("/slow", (req, res) -> {
                    entered.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    res.send("slow");
                }));
    }

    @AfterEach
    void stop() {
        release.countDown();
        harness.close();
    }

    private RawResponse send(String raw) throws IOException {
        return harness.exchange(raw);
    }

    private static String get(String target) {
        return head("GET " + target + " HTTP/1.1", "Host: h");
    }

    /** The request timer with exactly these tags, or null. */
    private Timer timer(String method, int status, String uri) {
        return harness.registry.find("http.server.requests").tag("server", "test").tag("method", method)
                .tag("status", Integer.toString(status)).tag("uri", uri).timer();
    }

    private long count(String method, int status, String uri) {
        Timer t = timer(method, status, uri);
        return t == null ? 0 : t.count();
    }

    private double rejected(String reason) {
        return harness.registry.get("weft.http.requests.rejected").tag("server", "test").tag("reason", reason)
                .counter().count();
    }

    private void awaitCount(long expected, String method, int status, String uri) {
        await(method + " " + status + " " + uri).atMost(WAIT).until(() -> count(method, status, uri) >= expected);
        assertEquals(expected, count(method, status, uri), method + " " + status + " " + uri);
    }

    @Test
    void requestsAreTimedByRouteTemplateNeverByRawPath() throws IOException {
        for (String id : List.of("1", "2", "42", "J%C3%B6rg")) {
            assertEquals(200, send(get("/users/" + id)).status);
        }
        assertEquals(200, send(head("POST /users/7 HTTP/1.1", "Host: h", "Content-Length: 2") + "hi").status);
        try (RawHttpClient client = harness.connect()) {
            assertEquals(200, client.send(head("HEAD /users/8 HTTP/1.1", "Host: h")).readResponse(true).status);
        }

        awaitCount(4, "GET", 200, "/users/{id}");
        awaitCount(1, "POST", 200, "/users/{id}");
        awaitCount(1, "HEAD", 200, "/users/{id}");
        Timer t = timer("GET", 200, "/users/{id}");
        assertEquals("SUCCESS", t.getId().getTag("outcome"));
        assertTrue(t.totalTime(TimeUnit.NANOSECONDS) > 0);
        for (Meter m : harness.registry.find("http.server.requests").meters()) {
            String uri = m.getId().getTag("uri");
            assertNotNull(uri);
            assertTrue(uri.equals("/users/{id}") || uri.equals("/") || uri.equals("NOT_FOUND") || uri.equals("REJECTED")
                    || uri.equals("METHOD_NOT_ALLOWED")
                    || uri.equals("UNMATCHED") || uri.equals("/boom") || uri.equals("/slow"), "unbounded uri tag: " + uri);
        }
    }

    @Test
    void requestsOnOneKeepAliveConnectionAreTimedEachUnderItsOwnTags() throws IOException {
        // The connection remembers its last timer: a change of route, status or method must not reuse it.
        try (RawHttpClient client = harness.connect()) {
            assertEquals(200, client.send(get("/users/1")).readResponse().status);
            assertEquals(200, client.send(get("/users/2")).readResponse().status);
            assertEquals(404, client.send(get("/nowhere")).readResponse().status);
            assertEquals(200, client.send(get("/")).readResponse().status);
            assertEquals(200, client.send(head("POST /users/3 HTTP/1.1", "Host: h", "Content-Length: 1") + "x")
                    .readResponse().status);
            assertEquals(200, client.send(get("/users/4")).readResponse().status);
        }
        awaitCount(3, "GET", 200, "/users/{id}");
        awaitCount(1, "GET", 404, "NOT_FOUND");
        awaitCount(1, "GET", 200, "/");
        awaitCount(1, "POST", 200, "/users/{id}");
    }

    @Test
    void wrongMethodsAndRefusedRequestsHaveTheirOwnUriTags() throws IOException {
        assertEquals(405, send(head("DELETE /users/1 HTTP/1.1", "Host: h")).status);
        assertEquals(400, send("GET /users/1 HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
                .status);
        assertEquals(414, send(get("/" + "a".repeat(200))).status);

        awaitCount(1, "DELETE", 405, "METHOD_NOT_ALLOWED");
        awaitCount(1, "GET", 400, "REJECTED");
        awaitCount(1, "other", 414, "REJECTED");
    }

    @Test
    void unknownPathsAreTaggedNotFound() throws IOException {
        assertEquals(404, send(get("/nowhere/1")).status);
        assertEquals(404, send(get("/nowhere/2")).status);
        awaitCount(2, "GET", 404, "NOT_FOUND");
        assertEquals("CLIENT_ERROR", timer("GET", 404, "NOT_FOUND").getId().getTag("outcome"));
        assertNull(harness.registry.find("http.server.requests").tag("uri", "/nowhere/1").timer());
    }

    @Test
    void methodTagsAreBounded() throws IOException {
        assertEquals(405, send(head("get / HTTP/1.1", "Host: h")).status);
        assertEquals(405, send(head("FROBNICATE / HTTP/1.1", "Host: h")).status);
        await().atMost(WAIT).until(() -> harness.registry.find("http.server.requests").tag("method", "other")
                .timers().stream().mapToLong(Timer::count).sum() == 2);
        assertNull(harness.registry.find("http.server.requests").tag("method", "FROBNICATE").timer());
        assertNull(harness.registry.find("http.server.requests").tag("method", "get").timer());
    }

    @Test
    void aFailingHandlerIsAServerError() throws IOException {
        assertEquals(500, send(get("/boom")).status);
        awaitCount(1, "GET", 500, "/boom");
        assertEquals("SERVER_ERROR", timer("GET", 500, "/boom").getId().getTag("outcome"));
    }

    @Test
    void aBodyOverTheLimitFoundWhileTheHandlerReadsIsTimedWithItsStatus() throws IOException {
        RawResponse r = send(head("POST /users/1 HTTP/1.1", "Host: h", "Transfer-Encoding: chunked")
                + "41\r\n" + "x".repeat(65) + "\r\n0\r\n\r\n");
        assertEquals(413, r.status);
        awaitCount(1, "POST", 413, "/users/{id}");
        await().atMost(WAIT).until(() -> rejected("limit") == 1.0); // a body limit counts as a refusal too
    }

    @Test
    void fallbackRequestsAreTaggedUnmatched() throws IOException {
        try (ServerHarness h = new ServerHarness()) {
            h.start(b -> b.get("/a", (req, res) -> res.send("a")).fallback((req, res) -> res.send("fb")));
            assertEquals("fb", h.exchange(get("/b/c")).bodyText());
            assertEquals("fb", h.exchange(head("POST /a HTTP/1.1", "Host: h")).bodyText());
            await().atMost(WAIT).until(() -> h.registry.find("http.server.requests").tag("uri", "UNMATCHED")
                    .timers().stream().mapToLong(Timer::count).sum() == 2);
            assertNull(h.registry.find("http.server.requests").tag("uri", "/b/c").timer());
        }
    }

    @Test
    void refusalsBeforeRoutingAreCountedByReason() throws IOException {
        assertEquals(400, send("GET / HTTP/1.1\r\n\r\n").status);
        assertEquals(400, send(head("POST / HTTP/1.1", "Host: h", "Content-Length: 1", "Transfer-Encoding: chunked"))
                .status);
        assertEquals(400, send(get("/users/%zz")).status);
        assertEquals(505, send(head("GET / HTTP/2.0", "Host: h")).status);
        assertEquals(431, send(get("/").replace("Host: h", "Host: h\r\nX-Big: " + "b".repeat(600))).status);
        assertEquals(414, send(get("/" + "u".repeat(200))).status);
        assertEquals(413, send(head("POST /users/1 HTTP/1.1", "Host: h", "Content-Length: 65")).status);
        assertEquals(417, send(head("POST /users/1 HTTP/1.1", "Host: h", "Content-Length: 1", "Expect: later"))
                .status);

        await().atMost(WAIT).until(() -> rejected("malformed") + rejected("limit") == 8);
        assertEquals(5.0, rejected("malformed"), "400 (3), 505, 417");
        assertEquals(3.0, rejected("limit"), "431, 414, 413");
        assertEquals(0.0, rejected("timeout"));
    }

    @Test
    void anIncompleteHeadIsCountedAsATimeout() throws IOException {
        try (ServerHarness h = new ServerHarness()) {
            h.start(b -> b.limits(ServerKeepAliveTest.limits(0, Duration.ofMillis(300), Duration.ofSeconds(60)))
                    .get("/", (req, res) -> res.send("root")));
            try (RawHttpClient client = RawHttpClient.connect(h.server())) {
                assertEquals(408, client.send("GET / HTTP/1.1\r\n").readResponse().status);
            }
            await().atMost(WAIT).until(() -> h.registry.get("weft.http.requests.rejected").tag("reason", "timeout")
                    .counter().count() == 1);
        }
    }

    @Test
    void activeRequestsGoUpWhileAHandlerRunsAndBackToZero() throws Exception {
        Gauge active = harness.registry.get("http.server.requests.active").tag("server", "test").gauge();
        assertEquals(0.0, active.value());
        try (RawHttpClient client = harness.connect()) {
            client.send(get("/slow"));
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            assertEquals(1.0, active.value());
            release.countDown();
            assertEquals("slow", client.readResponse().bodyText());
        }
        await().atMost(WAIT).until(() -> active.value() == 0.0);
        // Failing handlers and refusals leave it at zero too.
        send(get("/boom"));
        send("GET / HTTP/1.1\r\n\r\n");
        send(get("/nowhere"));
        await().atMost(WAIT).until(() -> count("GET", 404, "NOT_FOUND") == 1);
        assertEquals(0.0, active.value());
    }

    @Test
    void closingTheServerRemovesEveryMeterOfIt() throws IOException {
        send(get("/users/1"));
        send(get("/nowhere"));
        send("GET / HTTP/1.1\r\n\r\n");
        awaitCount(1, "GET", 404, "NOT_FOUND");
        assertFalse(meters().isEmpty());
        Counter malformed = harness.registry.get("weft.http.requests.rejected").tag("reason", "malformed").counter();
        assertNotNull(malformed);

        harness.server().close();
        assertEquals(List.of(), meters().stream().map(m -> m.getId().toString()).toList());
    }

    private List<Meter> meters() {
        return harness.registry.getMeters().stream().filter(m -> "test".equals(m.getId().getTag("server"))).toList();
    }
}
