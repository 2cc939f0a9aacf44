package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpExampleTest {

    private final PrometheusMetrics metrics = new PrometheusMetrics();
    private final HttpServer server = HttpExample.start(0, metrics, false);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void helloAndNamedHello() throws Exception {
        assertEquals("Hello, World!", get("/hello").body());
        assertEquals("Hello, J%C3%B6rg!".replace("%C3%B6", "\u00f6"), get("/hello/J%C3%B6rg").body());
    }

    @Test
    void echoReturnsTheBodyWithItsContentType() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/echo")).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("a,b\n1,2\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("a,b\n1,2\n", r.body());
        assertEquals("text/csv", r.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void streamSendsNumberedLinesChunked() throws Exception {
        HttpResponse<String> r = get("/stream?lines=250");
        assertEquals("chunked", r.headers().firstValue("Transfer-Encoding").orElseThrow());
        assertEquals(IntStream.rangeClosed(1, 250).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining()), r.body());
        assertEquals(400, get("/stream?lines=x").statusCode());
    }

    @Test
    void metricsAreThePrometheusTextFormatWithRequestsByRouteTemplate() throws Exception {
        get("/hello/ann");
        get("/hello/bob");
        assertEquals(404, get("/nowhere").statusCode());
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        String metrics = r.body();
        // One series per route template: both requests counted under /hello/{name}, raw paths never tags.
        List<String> count = metrics.lines()
                .filter(l -> l.startsWith("http_server_requests_seconds_count{") && l.contains("uri=\"/hello/{name}\""))
                .toList();
        assertEquals(1, count.size(), metrics);
        assertTrue(count.get(0).matches("http_server_requests_seconds_count\\{.*method=\"GET\".*status=\"200\".*\\} 2(\\.0)?"),
                count.get(0));
        assertTrue(metrics.contains("# TYPE http_server_requests_seconds summary"), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("http_server_requests_seconds_count{")
                && l.contains("status=\"404\"")), metrics);
        assertTrue(metrics.lines().noneMatch(l -> l.contains("/hello/ann")), "raw paths never become tags");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("weft_tcp_connections_opened_total{")), metrics);
    }
}
