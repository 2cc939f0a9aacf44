package dev.weft.examples.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The case study's configuration, run by {@link LoadBalancer} in front of three local backends. */
class LoadBalancerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** What each backend saw: its name, then the Host, X-Real-IP and X-Forwarded-For fields. */
    private final ConcurrentLinkedQueue<List<String>> seen = new ConcurrentLinkedQueue<>();

    @AfterEach
    void closeAll() throws Exception {
        while (!closing.isEmpty()) {
            closing.pop().close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private HttpServer backend(String name) {
        HttpServer s = HttpServer.builder().name(name).bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .fallback((req, res) -> {
                    seen.add(List.of(name, String.valueOf(req.header("Host")), String.valueOf(req.header("X-Real-IP")),
                            String.valueOf(req.header("X-Forwarded-For"))));
                    res.send(name);
                }).start();
        closing.push(s);
        return s;
    }

    /** The shipped case-study file with its backend ports and listen port replaced by these. */
    private static String caseStudy(int listen, HttpServer... backends) throws IOException {
        String text = Files.readString(Path.of("conf/case-study.conf"));
        for (int i = 0; i < backends.length; i++) {
            text = text.replace("127.0.0.1:808" + (i + 1), "127.0.0.1:" + backends[i].port());
        }
        return text.replace("listen 8080;", "listen 127.0.0.1:" + listen + ";");
    }

    private LoadBalancer start(String text) throws Exception {
        LoadBalancer lb = LoadBalancer.start(LbConfig.parse(text, "case-study.conf"), registry);
        closing.push(lb);
        return lb;
    }

    private HttpResponse<String> get(int port, String host) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("X-Forwarded-For", "198.51.100.20").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theCaseStudySharesSequentialRequestsByWeightAndSetsTheHeaders() throws Exception {
        HttpServer a = backend("a");
        HttpServer b = backend("b");
        HttpServer c = backend("c");
        int port = freePort();
        start(caseStudy(port, a, b, c));

        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 600; i++) {
            HttpResponse<String> r = get(port, "example.com");
            assertEquals(200, r.statusCode());
            counts.merge(r.body(), 1, Integer::sum);
        }

        // least_conn with one request at a time: every pick is a tie, which weighted round robin breaks
        assertEquals(Map.of("a", 300, "b", 200, "c", 100), counts);
        List<String> first = seen.peek();
        assertEquals("127.0.0.1", first.get(1), "Host $host: the request's host without its port");
        assertEquals("127.0.0.1", first.get(2), "X-Real-IP $remote_addr");
        assertEquals("198.51.100.20, 127.0.0.1", first.get(3), "X-Forwarded-For appended");
    }

    @Test
    void noRequestFailsWhileABackendIsKilled() throws Exception {
        HttpServer a = backend("a");
        HttpServer b = backend("b");
        HttpServer c = backend("c");
        int port = freePort();
        start(caseStudy(port, a, b, c));

        Map<String, Integer> after = new HashMap<>();
        for (int i = 0; i < 600; i++) {
            if (i == 200) {
                a.close(); // its kept-alive connections in the proxy's pool die with it
            }
            HttpResponse<String> r = get(port, "example.com");
            assertEquals(200, r.statusCode(), "request " + i + ": " + r.body());
            if (i >= 200) {
                after.merge(r.body(), 1, Integer::sum);
            }
        }
        assertEquals(null, after.get("a"));
        assertEquals(400, after.get("b") + after.get("c"));
        assertTrue(after.get("b") > after.get("c"), after.toString());
    }

    @Test
    void whatTheRuntimeCannotDoYetIsRefusedWithFileAndLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> start("""
                upstream u {
                    server 127.0.0.1:1;
                }
                server {
                    listen 127.0.0.1:%d;
                    location / {
                        proxy_pass https://u;
                        proxy_ssl_name $host;
                    }
                }
                """.formatted(freePort())));
        assertEquals("\"proxy_ssl_name\" with $host is not supported by this runtime: only literals and $proxy_host"
                + " in case-study.conf:6", e.getMessage());
    }

    @Test
    void aConsistentHashSendsEachUriToOneServer() throws Exception {
        HttpServer a = backend("a");
        HttpServer b = backend("b");
        int port = freePort();
        start("""
                upstream u {
                    hash $request_uri consistent;
                    server 127.0.0.1:%d;
                    server 127.0.0.1:%d;
                }
                server {
                    listen 127.0.0.1:%d;
                    location / { proxy_pass http://u; }
                }
                """.formatted(a.port(), b.port(), port));
        Map<String, String> owner = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 40; i++) {
                String served = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/item/" + i))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                String before = owner.putIfAbsent("/item/" + i, served);
                assertTrue(before == null || before.equals(served), "/item/" + i + " moved from " + before + " to " + served);
            }
        }
        assertTrue(owner.containsValue("a") && owner.containsValue("b"), owner.toString());
    }

    @Test
    void theStatusPageShowsEachServersStateAndCounts() throws Exception {
        HttpServer a = backend("a");
        HttpServer b = backend("b");
        HttpServer c = backend("c");
        int port = freePort();
        String text = caseStudy(port, a, b, c);
        int dead = freePort(); // nothing listens there
        text = text.replace("127.0.0.1:" + c.port(), "127.0.0.1:" + dead);
        LoadBalancer lb = start(text);
        for (int i = 0; i < 12; i++) {
            assertEquals(200, get(port, "example.com").statusCode()); // the dead server's share goes to the others
        }

        com.fasterxml.jackson.databind.JsonNode status = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(StatusPage.render(lb.groups()));

        com.fasterxml.jackson.databind.JsonNode group = status.get("upstreams").get(0);
        assertEquals("backend_servers", group.get("upstream").asText());
        assertEquals("LEAST_CONNECTIONS", group.get("strategy").asText());
        com.fasterxml.jackson.databind.JsonNode servers = group.get("servers");
        assertEquals("127.0.0.1:" + a.port(), servers.get(0).get("server").asText());
        assertEquals(3, servers.get(0).get("weight").asInt());
        assertEquals("UP", servers.get(0).get("state").asText());
        assertEquals("127.0.0.1:" + dead, servers.get(2).get("server").asText());
        assertEquals("FAILED", servers.get(2).get("state").asText(), servers.toString());
        assertEquals(1, servers.get(2).get("requestFailures").asInt(), servers.toString());
        long requests = 0;
        for (com.fasterxml.jackson.databind.JsonNode s : servers) {
            requests += s.get("requests").asLong();
        }
        assertEquals(13, requests, "12 requests, one of them tried twice (max_fails=1 then takes it out): " + servers);
    }
}
