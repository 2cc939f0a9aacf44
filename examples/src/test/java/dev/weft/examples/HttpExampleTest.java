package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpServer server = HttpExample.start(0, registry, false);
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
    void metricsListTheRequestsByRouteTemplate() throws Exception {
        get("/hello/ann");
        String metrics = get("/metrics").body();
        List<String> lines = metrics.lines().filter(l -> l.startsWith("http.server.requests{")).toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains("uri=\"/hello/{name}\"") && l.contains("count=1.0")), metrics);
        assertTrue(lines.stream().noneMatch(l -> l.contains("/hello/ann")), "raw paths never become tags");
    }
}
