package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server against {@link java.net.http.HttpClient} forced to HTTP/1.1. */
class ClientJdkHttpClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ClientFixture fixture = new ClientFixture();
    private final Set<Integer> remotePorts = ConcurrentHashMap.newKeySet();
    private final List<String> framings = new java.util.concurrent.CopyOnWriteArrayList<>();
    private HttpClient client;

    @BeforeEach
    void start() {
        fixture.start(b -> b
                .get("/hello", (req, res) -> {
                    remotePorts.add(req.remoteAddress().getPort());
                    res.send("hello " + req.queryParam("name"));
                })
                .get("/users/{id}", (req, res) -> {
                    remotePorts.add(req.remoteAddress().getPort());
                    res.send("user " + req.pathParam("id"));
                })
                .post("/echo", (req, res) -> {
                    remotePorts.add(req.remoteAddress().getPort());
                    framings.add(req.contentLength() + " " + req.header("Transfer-Encoding"));
                    res.header("Content-Type", "application/octet-stream");
                    res.send(req.bodyBytes());
                })
                .get("/lines", (req, res) -> {
                    int n = Integer.parseInt(req.queryParam("n"));
                    try (OutputStream out = res.header("Content-Type", "text/plain").stream()) {
                        for (int i = 0; i < n; i++) {
                            out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                            if (i % 100 == 0) {
                                out.flush();
                            }
                        }
                    }
                }));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    @AfterEach
    void stop() {
        client.close();
        fixture.close();
    }

    @Test
    void getAnswersWithTheBodyAndItsLength() throws Exception {
        HttpResponse<String> res = client.send(get("/hello?name=J%C3%BCrgen"), BodyHandlers.ofString());

        assertEquals(200, res.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, res.version());
        assertEquals("hello Jürgen", res.body());
        assertEquals(Optional.of(Long.toString("hello Jürgen".getBytes(StandardCharsets.UTF_8).length)),
                res.headers().firstValue("Content-Length"));
        assertEquals(Optional.of("text/plain; charset=utf-8"), res.headers().firstValue("Content-Type"));
        assertTrue(res.headers().firstValue("Date").isPresent());
    }

    @Test
    void postWithAByteArrayBodyIsEchoedWithItsDeclaredLength() throws Exception {
        byte[] body = random(300_000, 1);

        HttpResponse<byte[]> res = client.send(post("/echo", BodyPublishers.ofByteArray(body)), BodyHandlers.ofByteArray());

        assertEquals(200, res.statusCode());
        assertArrayEquals(body, res.body());
        assertEquals(List.of("300000 null"), framings, "sent with Content-Length");
    }

    @Test
    void postFromAnInputStreamIsSentChunkedAndEchoed() throws Exception {
        byte[] body = random(150_001, 2);

        HttpResponse<byte[]> res = client.send(post("/echo", BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))),
                BodyHandlers.ofByteArray());

        assertEquals(200, res.statusCode());
        assertArrayEquals(body, res.body());
        assertEquals(List.of("-1 chunked"), framings, "a body of unknown length comes chunked");
    }

    @Test
    void streamedResponseIsReadLineByLine() throws Exception {
        HttpResponse<java.util.stream.Stream<String>> res = client.send(get("/lines?n=5000"), BodyHandlers.ofLines());

        assertEquals(200, res.statusCode());
        assertEquals(Optional.of("chunked"), res.headers().firstValue("Transfer-Encoding"));
        List<String> lines;
        try (java.util.stream.Stream<String> stream = res.body()) {
            lines = stream.toList();
        }
        assertEquals(IntStream.range(0, 5000).mapToObj(i -> "line " + i).toList(), lines);
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> missing = client.send(get("/nope"), BodyHandlers.ofString());
        HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(fixture.uri("/hello")).timeout(TIMEOUT)
                .DELETE().build(), BodyHandlers.ofString());
        HttpResponse<String> wrongPost = client.send(post("/users/7", BodyPublishers.ofString("x")), BodyHandlers.ofString());

        assertEquals(404, missing.statusCode());
        assertEquals(405, wrong.statusCode());
        assertEquals(Optional.of("GET, HEAD"), wrong.headers().firstValue("Allow"));
        assertEquals(405, wrongPost.statusCode());
        assertEquals(Optional.of("GET, HEAD"), wrongPost.headers().firstValue("Allow"));
    }

    @Test
    void manySequentialRequestsReuseOneConnection() throws Exception {
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> res = switch (i % 4) {
                case 0 -> client.send(get("/hello?name=" + i), BodyHandlers.ofString());
                case 1 -> client.send(get("/users/" + i), BodyHandlers.ofString());
                case 2 -> client.send(post("/echo", BodyPublishers.ofString("body " + i)), BodyHandlers.ofString());
                default -> client.send(get("/missing/" + i), BodyHandlers.ofString());
            };
            String expected = switch (i % 4) {
                case 0 -> "hello " + i;
                case 1 -> "user " + i;
                case 2 -> "body " + i;
                default -> "not found\n";
            };
            assertEquals(expected, res.body(), "request " + i);
        }

        assertEquals(1, remotePorts.size(), "every request on one connection: " + remotePorts);
        assertEquals(1, fixture.opened());
        assertEquals(1, fixture.server().activeConnections());
    }

    @Test
    void fiftyVirtualThreadsAtOnceEachGetTheirOwnAnswer() throws Exception {
        int threads = 50;
        int perThread = 10;
        List<Future<List<String>>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    List<String> problems = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        byte[] body = ("thread " + id + " request " + i + " ").repeat(1 + (id * 31 + i) % 200)
                                .getBytes(StandardCharsets.UTF_8);
                        HttpResponse<byte[]> res = client.send(post("/echo", BodyPublishers.ofByteArray(body)),
                                BodyHandlers.ofByteArray());
                        if (res.statusCode() != 200 || !java.util.Arrays.equals(body, res.body())) {
                            problems.add(id + "/" + i + ": " + res.statusCode());
                        }
                        HttpResponse<String> user = client.send(get("/users/" + id + "-" + i), BodyHandlers.ofString());
                        if (!user.body().equals("user " + id + "-" + i)) {
                            problems.add(id + "/" + i + ": " + user.body());
                        }
                    }
                    return problems;
                }));
            }
        }
        List<String> problems = new ArrayList<>();
        for (Future<List<String>> f : results) {
            problems.addAll(f.get(30, TimeUnit.SECONDS));
        }
        assertEquals(List.of(), problems);
        assertEquals(threads * perThread, framings.size());
        assertTrue(remotePorts.size() > 1 && remotePorts.size() <= threads,
                "concurrent requests used several connections, at most one per thread: "
                        + remotePorts.stream().sorted().collect(Collectors.toList()));
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(fixture.uri(path)).timeout(TIMEOUT).GET().build();
    }

    private HttpRequest post(String path, HttpRequest.BodyPublisher body) {
        return HttpRequest.newBuilder(fixture.uri(path)).timeout(TIMEOUT).POST(body).build();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
