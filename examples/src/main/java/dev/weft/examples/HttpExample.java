package dev.weft.examples;

import dev.weft.http.HttpServer;
import dev.weft.http.Request;
import dev.weft.http.Response;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.StringJoiner;

/**
 * A small HTTP service: hello, echo the request body, a streamed (chunked) answer, and the server's
 * own meters as text.
 *
 * <pre>./weft http [--port 8080] [--access-log]</pre>
 */
public final class HttpExample {

    private HttpExample() {
    }

    /** Starts the example server; {@code port} 0 picks a free one. */
    public static HttpServer start(int port, SimpleMeterRegistry registry, boolean accessLog) {
        return HttpServer.builder()
                .name("http-example")
                .port(port)
                .meterRegistry(registry)
                .accessLog(accessLog)
                .get("/hello", (req, res) -> res.send("Hello, World!"))
                .get("/hello/{name}", (req, res) -> res.send("Hello, " + req.pathParam("name") + "!"))
                .post("/echo", HttpExample::echo)
                .get("/stream", HttpExample::stream)
                .get("/metrics", (req, res) -> res.send(meters(registry)))
                .start();
    }

    /** Sends the body back as it arrives, chunked, with the request's Content-Type. */
    static void echo(Request req, Response res) throws IOException {
        String type = req.header("Content-Type");
        res.header("Content-Type", type != null ? type : "application/octet-stream");
        try (OutputStream out = res.stream()) {
            req.body().transferTo(out);
        }
    }

    /** {@code /stream?lines=N}: N numbered lines (default 10, at most 100,000), flushed every 100. */
    static void stream(Request req, Response res) throws IOException {
        String param = req.queryParam("lines");
        int lines;
        try {
            lines = param == null ? 10 : Integer.parseInt(param);
        } catch (NumberFormatException e) {
            lines = -1;
        }
        if (lines < 0 || lines > 100_000) {
            res.send(400, "lines must be 0..100000\n");
            return;
        }
        try (OutputStream out = res.stream()) {
            for (int i = 1; i <= lines; i++) {
                out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                if (i % 100 == 0) {
                    out.flush();
                }
            }
        }
    }

    /** Every meter as {@code name{tag="value",...} statistic=value} lines, sorted. */
    static String meters(SimpleMeterRegistry registry) {
        StringBuilder text = new StringBuilder();
        List<Meter> meters = new ArrayList<>(registry.getMeters());
        meters.sort(Comparator.comparing((Meter m) -> m.getId().getName()).thenComparing(m -> m.getId().getTags().toString()));
        for (Meter meter : meters) {
            text.append(meter.getId().getName()).append('{');
            StringJoiner tags = new StringJoiner(",");
            meter.getId().getTags().forEach(t -> tags.add(t.getKey() + "=\"" + t.getValue() + "\""));
            text.append(tags).append('}');
            for (Measurement m : meter.measure()) {
                text.append(' ').append(m.getStatistic().getTagValueRepresentation()).append('=').append(m.getValue());
            }
            text.append('\n');
        }
        return text.toString();
    }

    public static void main(String[] args) throws InterruptedException {
        Args a = Args.parse("http", args, "--port", "--access-log");
        HttpServer server = start(a.intValue("--port", 8080), new SimpleMeterRegistry(), a.flag("--access-log"));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.printf("http server listening on port %d: /hello, /hello/{name}, POST /echo, /stream?lines=N,"
                + " /metrics; Ctrl-C stops it%n", server.port());
        server.awaitClose();
    }
}
