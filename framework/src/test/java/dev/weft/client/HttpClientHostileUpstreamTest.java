package dev.weft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.dns.Resolver;
import dev.weft.testing.Answer;
import dev.weft.testing.LeakCheck;
import dev.weft.testing.MockUpstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link HttpClient} against a {@link MockUpstream} that lies, resets, stalls and sends garbage:
 * each failure must say what happened, and a connection left in an unknown state must not be
 * lent again. {@link LeakCheck} fails any test that leaves a socket or thread behind.

 */
@ExtendWith(LeakCheck.class)
class HttpClientHostileUpstreamTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private MockUpstream upstream;
    private ConnectionPool pool;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = MockUpstream.start();
    }

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.close();
        }
        upstream.close();
    }

    private HttpClient client(PoolOptions options) {
        return client(options, Duration.ofSeconds(10));
    }

    private HttpClient client(PoolOptions options, Duration totalTimeout) {
        pool = new ConnectionPool("hostile", options, Resolver.system(), registry);
        return new HttpClient(pool, totalTimeout);
    }

    private String get(HttpClient client, String path) throws Exception {
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri(path)))) {
            return r.status() + " " + r.bodyAsString();
        }
    }

    private HttpClientException.Kind failure(HttpClient client, String path) {
        return assertThrows(HttpClientException.class, () -> get(client, path)).kind();
    }

    @Test
    void keepAliveReuseShowsInTheConnectionIndex() throws Exception {
        upstream.enqueue(Answer.ok("one"), Answer.ok("two"), Answer.ok("three").connectionClose(), Answer.ok("four"));
        HttpClient client = client(PoolOptions.DEFAULTS);
        assertEquals("200 one", get(client, "/1"));
        assertEquals("200 two", get(client, "/2"));
        assertEquals("200 three", get(client, "/3"));
        assertEquals("200 four", get(client, "/4"));
        assertEquals(List.of(List.of(0, 0), List.of(0, 1), List.of(0, 2), List.of(1, 0)), ClientTests.connectionsUsed(upstream),
                "one connection until the server said close");
        assertEquals(0, pool.active());
    }

    @Test
    void aContentLengthLongerThanTheBodyFailsTheBodyReadAndTheConnectionIsNotReused() throws Exception {
        upstream.enqueue(Answer.ok("short").declaredLength(100).thenClose(), Answer.ok("next"));
        HttpClient client = client(PoolOptions.DEFAULTS);
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/lie")))) {
            assertEquals(200, r.status());
            HttpClientException e = assertThrows(HttpClientException.class, r::bodyAsString);
            assertEquals(HttpClientException.Kind.MALFORMED_RESPONSE, e.kind());
            assertTrue(e.getMessage().contains("95 bytes before the end"), e.getMessage());
        }
        assertEquals(1.0, ClientTests.destroyedBroken(registry));
        assertEquals("200 next", get(client, "/next"));
        assertEquals(List.of(List.of(0, 0), List.of(1, 0)), ClientTests.connectionsUsed(upstream));
    }

    @Test
    void aContentLengthShorterThanTheBodyDoesNotLeakIntoTheNextResponse() throws Exception {
        upstream.enqueue(Answer.ok("hello world").declaredLength(5), Answer.ok("next"));
        HttpClient client = client(PoolOptions.DEFAULTS);
        assertEquals("200 hello", get(client, "/lie"));
        assertEquals("200 next", get(client, "/next"));
        assertEquals(2, upstream.requestCount());
    }

    @Test
    void aChunkedBodyCutInsideAChunkFailsTheBodyRead() throws Exception {
        upstream.enqueue(Answer.ok("abcdefghij").chunked(4).closeInChunk(), Answer.ok("next"));
        HttpClient client = client(PoolOptions.DEFAULTS);
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/cut")))) {
            assertEquals("chunked", r.header("Transfer-Encoding"));
            HttpClientException e = assertThrows(HttpClientException.class, r::bodyAsString);
            assertEquals(HttpClientException.Kind.MALFORMED_RESPONSE, e.kind());
            assertTrue(e.getMessage().contains("inside a chunk"), e.getMessage());
        }
        assertEquals(1.0, ClientTests.destroyedBroken(registry));
        assertEquals("200 next", get(client, "/next"));
        assertEquals(List.of(List.of(0, 0), List.of(1, 0)), ClientTests.connectionsUsed(upstream));
    }

    @Test
    void aResetBeforeTheResponseIsResetBeforeResponse() throws Exception {
        // Not Answer.resetOnAccept(): a reset that beats the pool's check of a new connection is
        // reported as POOL_EXHAUSTED (see the class comment), so the kind would depend on timing.
        upstream.enqueue(Answer.resetAfterRequestHead(), Answer.ok("next"));
        HttpClient client = client(PoolOptions.DEFAULTS);
        assertEquals(HttpClientException.Kind.RESET_BEFORE_RESPONSE, failure(client, "/reset-after-head"));
        assertEquals(1, upstream.requestCount(), "a request on a new connection is not retried");
        assertEquals(1.0, ClientTests.destroyedBroken(registry));
        assertEquals("200 next", get(client, "/next"));
        assertEquals(List.of(List.of(0, 0), List.of(1, 0)), ClientTests.connectionsUsed(upstream));
        assertEquals(0, pool.active());
    }

    @Test
    void aResetOnAReusedConnectionIsRetriedOnceOnANewOne() throws Exception {
        upstream.enqueue(Answer.ok("warm"), Answer.resetAfterRequestHead(), Answer.ok("retried"));
        HttpClient client = client(PoolOptions.DEFAULTS);
        assertEquals("200 warm", get(client, "/warm"));
        assertEquals("200 retried", get(client, "/again"));
        assertEquals(List.of(List.of(0, 0), List.of(0, 1), List.of(1, 0)), ClientTests.connectionsUsed(upstream));
    }

    @Test
    void aResetInsideTheBodyIsAnIoFailureOfTheBodyRead() throws Exception {
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n";
        upstream.enqueue(Answer.ok("hello world").resetAfter(head.length() + 3));
        HttpClient client = client(PoolOptions.DEFAULTS);
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/reset-in-body")))) {
            assertEquals(200, r.status());
            HttpClientException e = assertThrows(HttpClientException.class, r::bodyAsString);
            assertEquals(HttpClientException.Kind.IO, e.kind());
            assertTrue(e.getMessage().contains("Connection reset"), e.getMessage());
        }
        assertEquals(1.0, ClientTests.destroyedBroken(registry));
    }

    @Test
    void aRefusedConnectIsConnectRefused() throws Exception {
        upstream.refuse();
        HttpClient client = client(PoolOptions.DEFAULTS);
        assertEquals(HttpClientException.Kind.CONNECT_REFUSED, failure(client, "/"));
        assertEquals(0, upstream.connectionCount());
    }

    @Test
    void malformedHeadsAreMalformedResponses() throws Exception {
        upstream.enqueue(Answer.garbageStatusLine(), Answer.badHeaderLine(), Answer.conflictingContentLengths(),
                Answer.oversizedHead(70));
        HttpClient client = client(PoolOptions.DEFAULTS);
        assertEquals(HttpClientException.Kind.MALFORMED_RESPONSE, failure(client, "/garbage-status"));
        assertEquals(HttpClientException.Kind.MALFORMED_RESPONSE, failure(client, "/bad-header"));
        assertEquals(HttpClientException.Kind.MALFORMED_RESPONSE, failure(client, "/two-lengths"));
        assertEquals(HttpClientException.Kind.MALFORMED_RESPONSE, failure(client, "/70k-head"));
        assertEquals(4, upstream.requestCount(), "none retried");
        assertEquals(4.0, ClientTests.destroyedBroken(registry));
        assertEquals(0, pool.active());
    }

    @Test
    void aStallBeforeTheHeadIsAReadTimeout() throws Exception {
        upstream.enqueue(Answer.ok("late").delay(Duration.ofSeconds(5)), Answer.noAnswer());
        HttpClient client = client(PoolOptions.DEFAULTS.withReadTimeout(Duration.ofMillis(300)));
        long start = System.nanoTime();
        assertEquals(HttpClientException.Kind.READ_TIMEOUT, failure(client, "/late"));
        long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(elapsed >= 300 && elapsed < 4000, elapsed + " ms");
        assertEquals(HttpClientException.Kind.READ_TIMEOUT, failure(client, "/never"));
        assertEquals(2, upstream.requestCount(), "a timeout is not retried");
        assertEquals(0, pool.active());
    }

    @Test
    void aStallInsideTheBodyIsAReadTimeoutOnTheBodyRead() throws Exception {
        upstream.enqueue(Answer.ok("hello").stallInBody(2));
        HttpClient client = client(PoolOptions.DEFAULTS.withReadTimeout(Duration.ofMillis(300)));
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/stall")))) {
            assertEquals(200, r.status());
            HttpClientException e = assertThrows(HttpClientException.class, r::bodyAsString);
            assertEquals(HttpClientException.Kind.READ_TIMEOUT, e.kind());
        }
        assertEquals(1.0, ClientTests.destroyedBroken(registry));
    }

    @Test
    void aTrickledResponseWithinTheReadTimeoutArrivesWhole() throws Exception {
        String body = "0123456789".repeat(5);
        upstream.enqueue(Answer.ok(body).trickle(7, Duration.ofMillis(10)), Answer.ok("again"));
        HttpClient client = client(PoolOptions.DEFAULTS.withReadTimeout(Duration.ofMillis(500)));
        assertEquals("200 " + body, get(client, "/slow"));
        assertEquals("200 again", get(client, "/again"));
        assertEquals(List.of(List.of(0, 0), List.of(0, 1)), ClientTests.connectionsUsed(upstream));
    }

    @Test
    void aHeadTrickledAByteAtATimeIsCutOffAtTheTotalTimeout() throws Exception {
        upstream.enqueue(Answer.ok("slow").trickle(1, Duration.ofMillis(50)));
        HttpClient client = client(PoolOptions.DEFAULTS, Duration.ofMillis(500));
        long start = System.nanoTime();
        assertEquals(HttpClientException.Kind.TOTAL_TIMEOUT, failure(client, "/trickle"));
        long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(elapsed >= 450 && elapsed < 1500, elapsed + " ms: each byte came within the read timeout");
    }

    @Test
    void aResetAfterPartOfTheHeadIsNotReportedAsBeforeTheResponse() throws Exception {
        upstream.enqueue(Answer.ok("hello").resetAfter(10));
        HttpClient client = client(PoolOptions.DEFAULTS);
        assertEquals(HttpClientException.Kind.IO, failure(client, "/cut"));
        assertEquals(1, upstream.requestCount(), "not retried: the server had begun to answer");
    }

    @Test
    void aSwitchedConnectionIsNeverLentAgain() throws Exception {
        upstream.enqueue(Answer.switchingProtocols());
        upstream.defaultAnswer(Answer.ok("plain"));
        HttpClient client = client(PoolOptions.DEFAULTS);
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/up")))) {
            assertEquals(101, r.status());
        }
        assertEquals("200 plain", get(client, "/next"));
        List<List<Integer>> used = ClientTests.connectionsUsed(upstream);
        assertEquals(List.of(List.of(0, 0), List.of(1, 0)), used, "the second request on a new connection");
    }

    @Test
    void aNewConnectionTheServerResetsAtOnceIsAResetNotAnExhaustedPool() throws Exception {
        upstream.defaultAnswer(Answer.resetOnAccept());
        HttpClient client = client(PoolOptions.DEFAULTS);
        for (int i = 0; i < 10; i++) {
            HttpClientException.Kind kind = failure(client, "/r" + i);
            assertTrue(kind == HttpClientException.Kind.RESET_BEFORE_RESPONSE
                    || kind == HttpClientException.Kind.CLOSED_BEFORE_RESPONSE
                    || kind == HttpClientException.Kind.CONNECT_REFUSED, "try " + i + ": " + kind);
        }
    }
}
