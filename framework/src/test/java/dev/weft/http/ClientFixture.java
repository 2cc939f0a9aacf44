package dev.weft.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One {@link HttpServer} on 127.0.0.1, port 0, with its own registry, for the tests that talk to it
 * with real clients (curl, the JDK's HttpClient, raw sockets, slowhttptest).
 *
 * <p>The meters are looked up right after start and kept, because the server removes them from the
 * registry on close. Their names are spelled out here, so renaming a public meter fails the tests.
 */
final class ClientFixture implements AutoCloseable {

    private static final String[] REJECT_REASONS = {"limit", "timeout", "malformed"};
    private static final String[] CLOSE_CAUSES = {"peer_closed", "completed", "reset", "broken_pipe", "network_error",
        "read_timeout", "write_timeout", "slow_reader", "tls_error", "limit", "shutdown", "handler_error"};

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Map<String, Counter> rejected = new HashMap<>();
    private final Map<String, Counter> closed = new HashMap<>();
    private Counter opened;
    private HttpServer server;

    /** Starts a server named "client-test" with a 10 s drain timeout; {@code config} adds routes and limits. */
    HttpServer start(UnaryOperator<HttpServer.Builder> config) {
        HttpServer.Builder builder = HttpServer.builder()
                .name("client-test")
                .bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(registry)
                .drainTimeout(Duration.ofSeconds(10));
        server = config.apply(builder).start();
        for (String reason : REJECT_REASONS) {
            rejected.put(reason, registry.get("weft.http.requests.rejected").tag("server", server.name())
                    .tag("reason", reason).counter());
        }
        for (String cause : CLOSE_CAUSES) {
            closed.put(cause, registry.get("weft.tcp.connections.closed").tag("server", server.name())
                    .tag("cause", cause).counter());
        }
        opened = registry.get("weft.tcp.connections.opened").tag("server", server.name()).counter();
        return server;
    }

    HttpServer server() {
        return server;
    }

    int port() {
        return server.port();
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    URI uri(String path) {
        return URI.create(url(path));
    }

    /** {@code weft.http.requests.rejected{reason}}. */
    long rejected(String reason) {
        return (long) rejected.get(reason).count();
    }

    /** {@code weft.tcp.connections.closed{cause}}. */
    long closed(String cause) {
        return (long) closed.get(cause).count();
    }

    long closedTotal() {
        return (long) closed.values().stream().mapToDouble(Counter::count).sum();
    }

    long opened() {
        return (long) opened.count();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }

    /** Limits with every size at its default and the given times (send timeout 10 s, no request cap). */
    static HttpLimits limits(Duration header, Duration read, long minBodyRate, Duration grace, Duration keepAlive) {
        HttpLimits d = HttpLimits.DEFAULTS;
        return new HttpLimits(d.maxRequestLineLength(), d.maxHeaderSize(), d.maxHeaderCount(), d.maxBodySize(),
                d.maxChunkExtensionSize(), d.maxTrailerSize(), header, read, minBodyRate, grace, keepAlive,
                Duration.ofSeconds(10), d.minSendRate(), d.sendRateGrace(), 0);
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    /** Reads {@code in} to its end: the SHA-256 in hex and the byte count, as "{@code <count> <hex>}". */
    static String digest(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[8192];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            md.update(buf, 0, n);
            total += n;
        }
        return total + " " + HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file's bytes as ISO-8859-1: never fails, whatever a tool printed. */
    static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    }

    /** What a finished child process printed. */
    record Ran(int exit, String out, String err) {

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    /**
     * Runs {@code command} with its output in files under {@code dir} (no pipe can fill up), waits
     * at most {@code timeout}, kills it if it is still running then.
     */
    static Ran run(List<String> command, Path dir, Duration timeout) {
        try {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError(command + " still running after " + timeout + ": " + read(out) + read(err));
                }
            } finally {
                p.destroyForcibly();
            }
            return new Ran(p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + command, e);
        }
    }
}
