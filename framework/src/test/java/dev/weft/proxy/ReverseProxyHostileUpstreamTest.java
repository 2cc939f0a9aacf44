package dev.weft.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.Endpoint;
import dev.weft.http.HttpLimits;
import dev.weft.http.HttpServer;
import dev.weft.http.TransportPollers;
import dev.weft.testing.Answer;
import dev.weft.tcp.LogCapture;
import dev.weft.testing.LeakCheck;
import dev.weft.testing.MockUpstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The reverse proxy in front of backends that misbehave ({@link MockUpstream}): each failure gets
 * the right status, goes to the next server only where that is safe, is logged naming the server
 * and the cause, and leaves no socket or thread behind.
 */
@ExtendWith(LeakCheck.class)
class ReverseProxyHostileUpstreamTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private LogCapture log;

    /**
     * The epoll transport's pollers are made once per process, at first use, and kept: made here,
     * before the leak check's first look, so they are not taken for a test's leak.
     */
    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    @BeforeEach
    void captureLog() {
        log = LogCapture.of(ReverseProxy.class);
    }

    @AfterEach
    void closeAll() throws Exception {
        log.close();
        while (!closing.isEmpty()) {
            closing.pop().close();
        }
        client.close();
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.push(resource);
        return resource;
    }

    private MockUpstream mock() throws IOException {
        return closeLater(MockUpstream.start());
    }

    private HttpServer proxy(ReverseProxy.Builder builder) {
        ReverseProxy proxy = closeLater(builder.meterRegistry(registry).build());
        return closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .limits(HttpLimits.DEFAULTS.withMaxBodySize(64L * 1024 * 1024))
                .meterRegistry(new SimpleMeterRegistry()).fallback(proxy).start());
    }

    private ReverseProxy.Builder to(MockUpstream... mocks) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("hostile-" + closing.size()).meterRegistry(registry);
        for (MockUpstream m : mocks) {
            b.add(Upstream.of(new Endpoint("127.0.0.1", m.port())));
        }
        return ReverseProxy.builder(closeLater(b.build()));
    }

    private HttpResponse<String> send(HttpServer front, String method) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/x"))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("body")
                        : HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private double outcome(String outcome) {
        return registry.get("weft.proxy.http.requests").tag("outcome", outcome).counter().count();
    }

    private void assertLogged(String... parts) {
        await().atMost(Duration.ofSeconds(5)).until(() -> log.messages().stream()
                .anyMatch(w -> List.of(parts).stream().allMatch(w::contains)));
    }

    @Test
    void aServerThatResetsBeforeAnsweringIs502AndAGetGoesToTheNext() throws Exception {
        MockUpstream bad = mock();
        MockUpstream good = mock();
        bad.defaultAnswer(Answer.resetAfterRequestHead());
        good.defaultAnswer(Answer.ok("good"));
        HttpServer front = proxy(to(bad, good));

        HttpResponse<String> r = send(front, "GET");

        assertEquals(200, r.statusCode());
        assertEquals("good", r.body());
        assertLogged("127.0.0.1:" + bad.port(), "trying the next server");
    }

    @Test
    void aPostThatMayHaveReachedAServerIsNeverSentTwice() throws Exception {
        MockUpstream bad = mock();
        MockUpstream good = mock();
        bad.defaultAnswer(Answer.resetAfterRequestHead());
        good.defaultAnswer(Answer.ok("good"));
        HttpServer front = proxy(to(bad, good));

        HttpResponse<String> r = send(front, "POST");

        assertEquals(502, r.statusCode());
        assertEquals("bad gateway\n", r.body());
        assertEquals(0, good.requestCount(), "the POST reached the first server: not sent again");
        assertEquals(1.0, outcome("bad_gateway"));
        assertLogged("POST /x", "127.0.0.1:" + bad.port(), "answered 502");
    }

    @Test
    void aServerThatNeverAnswersIs504AfterTheReadTimeout() throws Exception {
        MockUpstream silent = mock();
        silent.defaultAnswer(Answer.noAnswer());
        HttpServer front = proxy(to(silent).readTimeout(Duration.ofMillis(400)));

        long start = System.nanoTime();
        HttpResponse<String> r = send(front, "GET");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(504, r.statusCode());
        assertEquals("gateway timeout\n", r.body());
        assertTrue(millis >= 350 && millis < 10_000, millis + " ms");
        assertEquals(1.0, outcome("gateway_timeout"));
        assertLogged("timed out reading the response head", "answered 504");
    }

    @Test
    void aTimeoutGoesToTheNextServerOnlyWhenTimeoutIsAllowed() throws Exception {
        MockUpstream silent = mock();
        MockUpstream good = mock();
        silent.defaultAnswer(Answer.noAnswer());
        good.defaultAnswer(Answer.ok("good"));
        HttpServer retrying = proxy(to(silent, good).readTimeout(Duration.ofMillis(300)));
        HttpServer strict = proxy(to(silent, good).readTimeout(Duration.ofMillis(300))
                .nextUpstream(Set.of(ReverseProxy.NextUpstream.ERROR)));

        assertEquals("good", send(retrying, "GET").body());
        // round robin: the strict proxy's first request goes to the silent server
        assertEquals(504, send(strict, "GET").statusCode());
    }

    @Test
    void aServerThatStallsInsideTheHeadIs504AndOneThatStallsInTheBodyEndsTheClientConnection() throws Exception {
        MockUpstream stallHead = mock();
        stallHead.defaultAnswer(Answer.ok("hello").stallAfter(10));
        assertEquals(504, send(proxy(to(stallHead).readTimeout(Duration.ofMillis(300))
                .nextUpstream(Set.of())), "GET").statusCode());

        MockUpstream stallBody = mock();
        stallBody.defaultAnswer(Answer.ok("x".repeat(100)).stallInBody(10));
        HttpServer front = proxy(to(stallBody).readTimeout(Duration.ofMillis(300)));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String got = new String(readUntilClosed(s.getInputStream()), StandardCharsets.ISO_8859_1);
            assertTrue(got.startsWith("HTTP/1.1 200 "), got);
            assertTrue(got.endsWith("\r\n\r\nxxxxxxxxxx"), "the 10 bytes sent, then the connection ends: " + got);
        }
        assertEquals(1.0, outcome("upstream_aborted"));
        assertLogged("timed out reading the response body", "the client connection is closed");
    }

    @Test
    void aMalformedHeadIsNeverPassedOn() throws Exception {
        for (Answer malformed : List.of(Answer.garbageStatusLine(), Answer.badHeaderLine(),
                Answer.conflictingContentLengths(), Answer.oversizedHead(100))) {
            MockUpstream bad = mock();
            bad.defaultAnswer(malformed);
            HttpResponse<String> r = send(proxy(to(bad)), "GET");
            assertEquals(502, r.statusCode(), malformed.toString());
            assertEquals("bad gateway\n", r.body());
        }
        assertLogged("sent an invalid response head");
    }

    @Test
    void aBodyShorterThanItsLengthEndsTheClientConnectionInsteadOfLookingComplete() throws Exception {
        MockUpstream liar = mock();
        liar.defaultAnswer(Answer.ok("short").declaredLength(100).thenClose());
        HttpServer front = proxy(to(liar));

        IOException e = assertThrows(IOException.class, () -> send(front, "GET"));

        assertFalse(e.getMessage() == null && e.getCause() == null, e.toString());
        assertEquals(1.0, outcome("upstream_aborted"));
    }

    @Test
    void aStaleKeptAliveConnectionIsRetriedOnANewOneWithoutBlamingTheServer() throws Exception {
        MockUpstream server = mock();
        // The first connection answers once and then closes as the next request arrives, without a word.
        server.enqueue(Answer.ok("first"), Answer.resetAfterRequestHead());
        server.defaultAnswer(Answer.ok("again"));
        HttpServer front = proxy(to(server));

        assertEquals("first", send(front, "GET").body());
        HttpResponse<String> second = send(front, "GET");

        assertEquals(200, second.statusCode());
        assertEquals("again", second.body());
        assertEquals(2, server.connectionCount(), "the retry went out on a new connection");
        assertEquals(1.0, registry.get("weft.proxy.http.retries").counter().count());
    }

    @Test
    void aRefusingServerSendsEveryMethodToTheNext() throws Exception {
        MockUpstream gone = mock();
        MockUpstream good = mock();
        gone.refuse();
        good.defaultAnswer(Answer.ok("good"));
        HttpServer front = proxy(to(gone, good));

        for (String method : List.of("GET", "POST", "POST")) {
            assertEquals("good", send(front, method).body(), method);
        }
    }

    @Test
    void aServerThatStopsReadingAnUploadIs504AfterTheSendTimeout() throws Exception {
        MockUpstream deaf = mock();
        deaf.defaultAnswer(Answer.noAnswer().beforeRequestBody());
        HttpServer front = proxy(to(deaf).sendTimeout(Duration.ofMillis(500)));
        long size = 32L * 1024 * 1024; // more than both socket buffers hold

        // A client that reads the answer while it still uploads (as browsers and curl do): the
        // proxy answers before the body is in, then closes.
        String status;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Thread uploader = Thread.ofVirtual().start(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (long sent = 0; sent < size; sent += chunk.length) {
                        s.getOutputStream().write(chunk);
                    }
                } catch (IOException closed) {
                    // the proxy closed after answering
                }
            });
            status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            s.close();
            uploader.join(10_000);
        }

        assertEquals("HTTP/1.1 504 Gateway Timeout", status);
        assertLogged("timed out sending the request");
    }

    private static byte[] readUntilClosed(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                all.write(buf, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // a reset ends it as well
        }
        return all.toByteArray();
    }
}
