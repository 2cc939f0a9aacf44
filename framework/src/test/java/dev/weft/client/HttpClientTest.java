package dev.weft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.http.TransportPollers;
import dev.weft.testing.LeakCheck;
import dev.weft.dns.Resolver;
import dev.weft.http.HttpServer;
import dev.weft.tcp.Connection;
import dev.weft.tcp.TcpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP client against Weft's own server and against scripted raw servers. */
@ExtendWith(LeakCheck.class)
class HttpClientTest {

    /** Made before the leak check's first look: the transport's pollers live as long as the JVM. */
    @BeforeAll
    static void startTheTransportsPollers() throws java.io.IOException {
        TransportPollers.start();
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private HttpServer http;
    private TcpServer raw;
    private ConnectionPool pool;
    private final Set<Integer> remotePorts = ConcurrentHashMap.newKeySet();
    private final List<String> rawRequests = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.close();
        }
        if (http != null) {
            http.close();
        }
        if (raw != null) {
            raw.close();
        }
    }

    private HttpClient client(PoolOptions options) {
        pool = new ConnectionPool("client-test", options, Resolver.system(), registry);
        return new HttpClient(pool, Duration.ofSeconds(10));
    }

    private URI startHttp() {
        http = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(new SimpleMeterRegistry())
                .get("/hello", (req, res) -> {
                    remotePorts.add(req.remoteAddress().getPort());
                    res.send("hello " + req.queryParam("n"));
                })
                .get("/stream", (req, res) -> {
                    try (var out = res.stream()) {
                        for (int i = 0; i < 1000; i++) {
                            out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                })
                .post("/digest", (req, res) -> {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    byte[] body = req.bodyBytes();
                    res.send(body.length + " " + HexFormat.of().formatHex(sha.digest(body)));
                })
                .start();
        return URI.create("http://127.0.0.1:" + http.port());
    }

    @Test
    void keepAliveReusesOneConnectionForSequentialRequests() throws Exception {
        URI base = startHttp();
        HttpClient client = client(PoolOptions.DEFAULTS);
        for (int i = 0; i < 20; i++) {
            try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/hello?n=" + i)))) {
                assertEquals(200, r.status());
                assertEquals("hello " + i, r.bodyAsString());
            }
        }
        assertEquals(1, remotePorts.size(), "one connection served all 20");
        assertEquals(1.0, registry.get("weft.pool.connections.created").counter().count());
    }

    @Test
    void chunkedBothWaysAndHead() throws Exception {
        URI base = startHttp();
        HttpClient client = client(PoolOptions.DEFAULTS);
        try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/stream")))) {
            assertEquals("chunked", r.header("Transfer-Encoding"));
            String body = r.bodyAsString();
            assertEquals(1000, body.lines().count());
            assertEquals("line 999", body.lines().toList().getLast());
        }
        byte[] upload = new byte[300_000];
        new Random(3).nextBytes(upload);
        String expected = upload.length + " " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload));
        try (ClientResponse r = client.send(ClientRequest.post(base.resolve("/digest"),
                ClientRequest.Body.streaming(new ByteArrayInputStream(upload))))) {
            assertEquals(expected, r.bodyAsString());
        }
        try (ClientResponse r = client.send(ClientRequest.builder("HEAD", base.resolve("/hello?n=1")).build())) {
            assertEquals("7", r.header("Content-Length"));
            assertEquals(-1, r.body().read());
        }
        try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/hello?n=2")))) {
            assertEquals("hello 2", r.bodyAsString());
        }
        assertEquals(1.0, registry.get("weft.pool.connections.created").counter().count());
    }

    /**
     * A server that answers the first request on each connection and, on a connection's second
     * request, closes without a byte: a keep-alive connection the server gave up on just as it
     * was reused.
     */
    private URI startOneRequestPerConnectionServer() {
        raw = TcpServer.builder().name("one-shot").meterRegistry(new SimpleMeterRegistry())
                .bindAddress(InetAddress.getLoopbackAddress())
                .handler(conn -> {
                    String first = readRequest(conn);
                    if (first == null) {
                        return;
                    }
                    rawRequests.add(first);
                    conn.out().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                    String second = readRequest(conn);
                    if (second != null) {
                        rawRequests.add(second + " (dropped)");
                    }
                })
                .start();
        return URI.create("http://127.0.0.1:" + raw.port());
    }

    /** Reads one request (head and Content-Length body); returns its request line, or null at end of stream. */
    private static String readRequest(Connection conn) throws IOException {
        InputStream in = conn.in();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                in.readNBytes(Integer.parseInt(line.substring(15).strip()));
            }
        }
        return text.substring(0, text.indexOf("\r\n"));
    }

    @Test
    void anIdempotentRequestIsRetriedOnceWhenAReusedConnectionDiesBeforeTheResponse() throws Exception {
        URI base = startOneRequestPerConnectionServer();
        HttpClient client = client(PoolOptions.DEFAULTS);
        try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/a")))) {
            assertEquals("ok", r.bodyAsString());
        }
        try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/b")))) {
            assertEquals("ok", r.bodyAsString());
        }
        assertEquals(List.of("GET /a HTTP/1.1", "GET /b HTTP/1.1 (dropped)", "GET /b HTTP/1.1"), rawRequests);
    }

    @Test
    void aPostIsNotRetriedUnlessAllowedAndReplayable() throws Exception {
        URI base = startOneRequestPerConnectionServer();
        HttpClient client = client(PoolOptions.DEFAULTS);
        try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/warm")))) {
            r.bodyAsString();
        }
        HttpClientException e = assertThrows(HttpClientException.class,
                () -> client.send(ClientRequest.post(base.resolve("/order"), ClientRequest.Body.of("one"))));
        assertEquals(HttpClientException.Kind.CLOSED_BEFORE_RESPONSE, e.kind());
        assertEquals(List.of("GET /warm HTTP/1.1", "POST /order HTTP/1.1 (dropped)"), rawRequests);

        try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/warm2")))) {
            r.bodyAsString();
        }
        try (ClientResponse r = client.send(ClientRequest.builder("POST", base.resolve("/again"))
                .body(ClientRequest.Body.of("two")).retryNonIdempotent(true).build())) {
            assertEquals("ok", r.bodyAsString());
        }
        assertEquals(List.of("GET /warm HTTP/1.1", "POST /order HTTP/1.1 (dropped)", "GET /warm2 HTTP/1.1",
                "POST /again HTTP/1.1 (dropped)", "POST /again HTTP/1.1"), rawRequests);
    }

    @Test
    void aRequestBodyThatThrowsDoesNotLeakTheConnection() throws Exception {
        URI base = startHttp();
        HttpClient client = client(PoolOptions.DEFAULTS);
        ClientRequest.Body failing = new ClientRequest.Body() {
            @Override
            public long length() {
                return -1;
            }

            @Override
            public void writeTo(java.io.OutputStream out) {
                throw new IllegalStateException("the body's source failed");
            }

            @Override
            public boolean replayable() {
                return false;
            }
        };
        assertThrows(IllegalStateException.class, () -> client.send(ClientRequest.post(base.resolve("/digest"), failing)));
        assertEquals(0, pool.active());
        assertEquals(1.0, registry.get("weft.pool.connections.destroyed").tag("reason", "broken").counter().count());
        try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/hello?n=9")))) {
            assertEquals("hello 9", r.bodyAsString());
        }
    }

    @Test
    void failuresSayWhatHappened() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        HttpClient client = client(PoolOptions.DEFAULTS.withReadTimeout(Duration.ofMillis(300)));
        assertEquals(HttpClientException.Kind.CONNECT_REFUSED, assertThrows(HttpClientException.class,
                () -> client.send(ClientRequest.get(URI.create("http://127.0.0.1:" + closedPort + "/")))).kind());

        CountDownLatch release = new CountDownLatch(1);
        raw = TcpServer.builder().name("scripted").meterRegistry(new SimpleMeterRegistry())
                .bindAddress(InetAddress.getLoopbackAddress())
                .handler(conn -> {
                    String line = readRequest(conn);
                    if ("GET /silent HTTP/1.1".equals(line)) {
                        release.await();
                    } else {
                        conn.out().write("HTTP/1.1 2OO OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                })
                .start();
        URI base = URI.create("http://127.0.0.1:" + raw.port());
        try {
            assertEquals(HttpClientException.Kind.READ_TIMEOUT, assertThrows(HttpClientException.class,
                    () -> client.send(ClientRequest.get(base.resolve("/silent")))).kind());
        } finally {
            release.countDown();
        }
        HttpClientException malformed = assertThrows(HttpClientException.class,
                () -> client.send(ClientRequest.get(base.resolve("/bad"))));
        assertEquals(HttpClientException.Kind.MALFORMED_RESPONSE, malformed.kind());
        assertEquals(0, pool.active());
    }
}
