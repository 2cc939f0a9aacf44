package dev.weft.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.Endpoint;
import dev.weft.http.Headers;
import dev.weft.http.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP reverse proxy between real sockets on loopback: clients, a Weft HttpServer with the proxy, backends. */
class ReverseProxyTest {

    /** What a backend saw of one request. */
    record Seen(String method, String target, Headers headers, byte[] body, int remotePort) {
        String header(String name) {
            return headers.first(name);
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void closeAll() throws Exception {
        while (!closing.isEmpty()) {
            closing.pop().close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.push(resource);
        return resource;
    }

    /** A backend that records each request and answers with its name and the body it received. */
    private Upstream backend(String name, BlockingQueue<Seen> seen) {
        HttpServer server = closeLater(HttpServer.builder().name(name).bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .fallback((req, res) -> {
                    byte[] body = req.bodyBytes();
                    seen.add(new Seen(req.method(), req.target(), req.headers(), body, req.remoteAddress().getPort()));
                    res.header("X-Backend", name);
                    res.header("Content-Type", "application/octet-stream");
                    res.send(body.length == 0 ? (name + "\n").getBytes(StandardCharsets.UTF_8) : body);
                }).start());
        return Upstream.of(new Endpoint("127.0.0.1", server.port()));
    }

    private UpstreamGroup group(Upstream... upstreams) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("backends-" + closing.size()).meterRegistry(registry);
        for (Upstream u : upstreams) {
            b.add(u);
        }
        return closeLater(b.build());
    }

    private HttpServer proxy(ReverseProxy.Builder builder) {
        ReverseProxy proxy = closeLater(builder.meterRegistry(registry).build());
        return closeLater(HttpServer.builder().name("front").bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry()).fallback(proxy).start());
    }

    private HttpResponse<String> get(HttpServer front, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private double outcome(String outcome) {
        return registry.get("weft.proxy.http.requests").tag("outcome", outcome).counter().count();
    }

    /** A port nothing listens on: bound, then freed. */
    private static Upstream dead() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Upstream.of(new Endpoint("127.0.0.1", s.getLocalPort()));
        }
    }

    /** Sends raw bytes on a new connection and reads everything until the proxy closes it. */
    private static String raw(HttpServer front, String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void forwardsAndAnswersWithTheBackendsResponse() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        HttpServer front = proxy(ReverseProxy.builder(group(backend("a", seen))));

        HttpResponse<String> r = get(front, "/users/7?x=1&y=%20");

        assertEquals(200, r.statusCode());
        assertEquals("a\n", r.body());
        assertEquals("a", r.headers().firstValue("X-Backend").orElseThrow());
        assertEquals("1.1 weft", r.headers().firstValue("Via").orElseThrow());
        Seen s = seen.poll(5, TimeUnit.SECONDS);
        assertEquals("GET", s.method());
        assertEquals("/users/7?x=1&y=%20", s.target());
        assertEquals("127.0.0.1:" + front.port(), s.header("Host"));
        assertEquals("127.0.0.1", s.header("X-Forwarded-For"));
        assertEquals("http", s.header("X-Forwarded-Proto"));
        assertEquals("1.1 weft", s.header("Via"));
        assertEquals(1.0, outcome("ok"));
    }

    @Test
    void hopByHopFieldsStayOnTheirHopBothWays() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        HttpServer backend = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .fallback((req, res) -> {
                    seen.add(new Seen(req.method(), req.target(), req.headers(), new byte[0], 0));
                    res.header("Keep-Alive", "timeout=5");
                    res.header("Connection", "X-Hop");
                    res.header("X-Hop", "backend-secret");
                    res.header("Proxy-Authenticate", "Basic");
                    res.header("X-End", "kept");
                    res.send("ok");
                }).start());
        HttpServer front = proxy(ReverseProxy.builder(group(Upstream.of(new Endpoint("127.0.0.1", backend.port())))));

        String response = raw(front, "GET /h HTTP/1.1\r\nHost: example.com\r\nConnection: close, X-Secret\r\n"
                + "X-Secret: 1\r\nKeep-Alive: 300\r\nTE: trailers\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                + "Proxy-Connection: keep-alive\r\nUpgrade: h2c\r\nX-Forwarded-For: 203.0.113.9\r\nX-Kept: yes\r\n\r\n");

        Seen s = seen.poll(5, TimeUnit.SECONDS);
        for (String gone : List.of("X-Secret", "Keep-Alive", "TE", "Proxy-Authorization", "Proxy-Connection", "Upgrade")) {
            assertNull(s.header(gone), gone + " reached the backend");
        }
        assertFalse(s.headers().containsToken("Connection", "X-Secret"));
        assertEquals("yes", s.header("X-Kept"));
        assertEquals("example.com", s.header("Host"));
        assertEquals("203.0.113.9, 127.0.0.1", s.header("X-Forwarded-For"));
        assertTrue(response.startsWith("HTTP/1.1 200 "), response);
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
        assertFalse(head.contains("x-hop"), head);
        assertFalse(head.contains("keep-alive"), head);
        assertFalse(head.contains("proxy-authenticate"), head);
        assertTrue(head.contains("x-end: kept"), head);
        assertTrue(head.contains("connection: close"), head);
        assertTrue(response.endsWith("\r\n\r\nok"), response);
    }

    @Test
    void configuredHeadersReplaceTheClientsAndAnEmptyValueRemovesOne() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        HttpServer front = proxy(ReverseProxy.builder(group(backend("a", seen)))
                .setHeader("Host", HeaderValue.host())
                .setHeader("X-Real-IP", HeaderValue.remoteAddr())
                .setHeader("X-Forwarded-Proto", HeaderValue.of(""))
                .setHeader("X-Route", HeaderValue.concat(List.of(HeaderValue.of("via-"), HeaderValue.header("X-Tag")))));

        raw(front, "GET / HTTP/1.1\r\nHost: Example.COM:8080\r\nX-Real-IP: 6.6.6.6\r\nX-Tag: t1\r\n"
                + "Connection: close\r\n\r\n");

        Seen s = seen.poll(5, TimeUnit.SECONDS);
        assertEquals("example.com", s.header("Host"));
        assertEquals(List.of("127.0.0.1"), s.headers().all("X-Real-IP"));
        assertNull(s.header("X-Forwarded-Proto"));
        assertEquals("via-t1", s.header("X-Route"));
    }

    @Test
    void bodiesStreamBothWaysByteForByteWithBothFramings() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        HttpServer front = proxy(ReverseProxy.builder(group(backend("a", seen))));
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(big);
        byte[] small = "hello, body".getBytes(StandardCharsets.UTF_8);

        for (byte[] body : List.of(small, big)) {
            // Content-Length, and chunked (a publisher of unknown length)
            for (boolean chunked : new boolean[] {false, true}) {
                HttpRequest.BodyPublisher publisher = chunked
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))
                        : HttpRequest.BodyPublishers.ofByteArray(body);
                HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/up"))
                        .POST(publisher).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, r.statusCode());
                assertArrayEquals(body, r.body());
                Seen s = seen.poll(5, TimeUnit.SECONDS);
                assertArrayEquals(body, s.body());
                assertEquals(chunked ? null : Integer.toString(body.length), s.header("Content-Length"));
                assertEquals(chunked ? "chunked" : null, s.header("Transfer-Encoding"));
            }
        }
    }

    @Test
    void aChunkedResponseStaysChunkedAndHeadGetsTheLengthWithoutBody() throws Exception {
        HttpServer backend = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .get("/stream", (req, res) -> {
                    try (OutputStream out = res.stream()) {
                        for (int i = 0; i < 100; i++) {
                            out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                            out.flush();
                        }
                    }
                })
                .get("/fixed", (req, res) -> res.send("twelve bytes")).start());
        HttpServer front = proxy(ReverseProxy.builder(group(Upstream.of(new Endpoint("127.0.0.1", backend.port())))));

        HttpResponse<String> streamed = get(front, "/stream");
        assertEquals(100, streamed.body().lines().count());
        assertEquals("chunked", streamed.headers().firstValue("Transfer-Encoding").orElseThrow());

        HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/fixed"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("12", head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("", head.body());
    }

    @Test
    void connectionsToTheBackendAreKeptAliveAndShared() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        HttpServer front = proxy(ReverseProxy.builder(group(backend("a", seen))));

        for (int i = 0; i < 20; i++) {
            // a new client connection each time: the backend connection outlives them
            assertTrue(raw(front, "GET /k" + i + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").endsWith("a\n"));
        }

        Set<Integer> ports = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            ports.add(seen.poll(5, TimeUnit.SECONDS).remotePort());
        }
        assertEquals(1, ports.size(), "backend connections used: " + ports);
    }

    @Test
    void weightsShareRequestsExactlyInSmoothRoundRobin() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        HttpServer front = proxy(ReverseProxy.builder(group(backend("a", seen).withWeight(3),
                backend("b", seen).withWeight(2), backend("c", seen).withWeight(1))));

        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            counts.merge(get(front, "/").body().strip(), 1, Integer::sum);
        }

        assertEquals(Map.of("a", 30, "b", 20, "c", 10), counts);
    }

    @Test
    void aRefusingServerIsSkippedAndMarkedAndNoServerIs502() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        Upstream down = dead();
        HttpServer front = proxy(ReverseProxy.builder(group(down, backend("a", seen))));

        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/p"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "a POST goes on when the connect failed: it never reached a server");
        }
        assertTrue(registry.get("weft.proxy.http.retries").counter().count() >= 1);

        HttpServer alone = proxy(ReverseProxy.builder(group(dead())));
        HttpResponse<String> r = get(alone, "/");
        assertEquals(502, r.statusCode());
        assertEquals("bad gateway\n", r.body());
        assertEquals("text/plain; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(1.0, outcome("bad_gateway"));
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        HttpServer front = proxy(ReverseProxy.builder(group(backend("a", seen))));
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            batch.append("POST /p").append(i).append(" HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n").append(i).append(i);
        }
        batch.append("GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        String all = raw(front, batch.toString());

        int at = 0;
        for (int i = 0; i < 5; i++) {
            at = all.indexOf("\r\n\r\n" + i + i, at);
            assertTrue(at > 0, "response " + i + " in order: " + all);
        }
        assertTrue(all.endsWith("\r\n\r\na\n"), all);
        for (int i = 0; i < 5; i++) {
            assertEquals("/p" + i, seen.poll(5, TimeUnit.SECONDS).target());
        }
    }

    @Test
    void aPrefixIsReplacedLikeNginxsProxyPassWithAUri() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        HttpServer front = proxy(ReverseProxy.builder(group(backend("a", seen))).rewritePrefix("/api/", "/v2/"));

        get(front, "/api/users?id=3");
        get(front, "/other");

        assertEquals("/v2/users?id=3", seen.poll(5, TimeUnit.SECONDS).target());
        assertEquals("/other", seen.poll(5, TimeUnit.SECONDS).target());
    }

    @Test
    void connectIsRefusedWith405() throws Exception {
        HttpServer front = proxy(ReverseProxy.builder(group(backend("a", new LinkedBlockingQueue<>()))));

        String response = raw(front, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n");

        assertTrue(response.startsWith("HTTP/1.1 405 "), response);
    }

    /** A backend that switches to an echo protocol: every byte back, until the client half-closes. */
    private Upstream echoProtocolBackend() {
        HttpServer server = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .get("/ws", (req, res) -> {
                    res.header("Upgrade", req.header("Upgrade"));
                    res.header("X-Seen-Connection", String.valueOf(req.header("Connection")));
                    dev.weft.http.Upgraded up = res.switchProtocols();
                    up.out().write("ready\n".getBytes(StandardCharsets.US_ASCII));
                    up.in().transferTo(up.out());
                    up.connection().shutdownOutput();
                }).start());
        return Upstream.of(new Endpoint("127.0.0.1", server.port()));
    }

    @Test
    void anUpgradeBecomesATwoWayTunnelWithHalfClose() throws Exception {
        HttpServer front = proxy(ReverseProxy.builder(group(echoProtocolBackend())));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // the first tunnel bytes come in the same packet as the request
            out.write(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly ")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), head);
            assertTrue(head.toLowerCase().contains("\r\nupgrade: echo\r\n"), head);
            assertTrue(head.toLowerCase().contains("\r\nconnection: upgrade\r\n"), head);
            assertTrue(head.contains("X-Seen-Connection: upgrade"), head);
            out.write("late".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertEquals("ready\nearly late", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                registry.get("weft.proxy.http.tunnels").tag("outcome", "relayed").counter().count() == 1.0);
    }

    @Test
    void aSilentTunnelEndsAtTheReadTimeout() throws Exception {
        HttpServer front = proxy(ReverseProxy.builder(group(echoProtocolBackend())).readTimeout(Duration.ofMillis(300)));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertTrue(readHead(in).startsWith("HTTP/1.1 101 "));
            long start = System.nanoTime();
            assertEquals("ready\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited >= 250 && waited < 5_000, "closed after " + waited + " ms");
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                registry.get("weft.proxy.http.tunnels").tag("outcome", "idle").counter().count() == 1.0);
    }

    @Test
    void anUpgradeTheClientDidNotAskForIs502() throws Exception {
        try (ServerSocket liar = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket c = liar.accept()) {
                    readHead(c.getInputStream());
                    c.getOutputStream().write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: evil\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    c.getInputStream().read();
                } catch (IOException ignored) {
                    // the proxy hung up
                }
            });
            HttpServer front = proxy(ReverseProxy.builder(group(Upstream.of(new Endpoint("127.0.0.1", liar.getLocalPort()))))
                    .nextUpstream(Set.of()));
            assertEquals(502, get(front, "/").statusCode());
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside the head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
