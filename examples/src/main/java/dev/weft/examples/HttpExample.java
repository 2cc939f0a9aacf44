package dev.weft.examples;

import dev.weft.http.HttpServer;
import dev.weft.http.Request;
import dev.weft.http.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A small HTTP service: hello, echo the request body, a streamed (chunked) answer, and the server's
 * own meters in the Prometheus text format. An instance is the {@code http} subcommand.
 *
 * <pre>./weft http [--port 8080] [--access-log]</pre>
 */
@Command(name = "http",
        description = {"An HTTP/1.1 service: /hello, /hello/{name}, POST /echo, /stream?lines=N, /metrics.",
            "/metrics is the server's meters in the Prometheus text format. Runs until Ctrl-C."})
public final class HttpExample implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", converter = CliTypes.Port.class,
            description = "Port to listen on, 0 for a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--access-log", description = "Log each request (logger dev.weft.http.access).")
    boolean accessLog;

    /** Starts the example server, its meters in {@code metrics}; {@code port} 0 picks a free one. */
    public static HttpServer start(int port, PrometheusMetrics metrics, boolean accessLog) {
        return HttpServer.builder()
                .name("http-example")
                .port(port)
                .meterRegistry(metrics.registry())
                .accessLog(accessLog)
                .get("/hello", (req, res) -> res.send("Hello, World!"))
                .get("/hello/{name}", (req, res) -> res.send("Hello, " + req.pathParam("name") + "!"))
                .post("/echo", HttpExample::echo)
                .get("/stream", HttpExample::stream)
                .get("/metrics", metrics.handler())
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

    @Override
    public Integer call() throws InterruptedException {
        HttpServer server = start(port, new PrometheusMetrics(), accessLog);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.printf("http server listening on port %d: /hello, /hello/{name}, POST /echo, /stream?lines=N,"
                + " /metrics; Ctrl-C stops it%n", server.port());
        server.awaitClose();
        return 0;
    }
}
