package dev.weft.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpLimits;
import dev.weft.http.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bodies stream through the proxy, never held whole: a proxy JVM with a 32 MiB heap relays a
 * 256 MiB upload and a 256 MiB download, and both arrive byte-exact (a checksum both ends agree on).
 */
class ProxyHeapTest {

    private static final long SIZE = 256L * 1024 * 1024;
    private static final String HEAP = "-Xmx32m";

    private HttpServer backend;
    private Process proxy;
    private int port;

    @BeforeEach
    void start() throws Exception {
        backend = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(new SimpleMeterRegistry())
                .limits(HttpLimits.DEFAULTS.withMaxBodySize(Long.MAX_VALUE))
                .post("/sink", (req, res) -> {
                    long[] sum = digest(req.body());
                    res.send(sum[0] + " " + sum[1]);
                })
                .get("/source", (req, res) -> {
                    res.header("Content-Length", Long.toString(SIZE));
                    try (OutputStream out = res.stream()) {
                        pattern(out, SIZE);
                    }
                }).start();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String transport = "-Dweft.transport=" + System.getProperty("weft.transport", "jdk"); // the suite's run
        proxy = new ProcessBuilder(List.of(java, HEAP, "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED", transport,
                "-cp", System.getProperty("java.class.path"), SmallHeapProxy.class.getName(), Integer.toString(backend.port())))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("LISTENING "), "the proxy JVM said: " + line);
        port = Integer.parseInt(line.substring("LISTENING ".length()));
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.getOutputStream().close();
            if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
                proxy.destroyForcibly();
            }
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void anUploadEightTimesTheProxysHeapArrivesWhole() throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/sink").toURL().openConnection();
        c.setDoOutput(true);
        c.setRequestMethod("POST");
        c.setFixedLengthStreamingMode(SIZE);
        c.setReadTimeout(60_000);
        try (OutputStream out = c.getOutputStream()) {
            pattern(out, SIZE);
        }
        assertEquals(200, c.getResponseCode());
        long[] expected = digest(patternStream(SIZE));
        try (InputStream in = c.getInputStream()) {
            assertEquals(expected[0] + " " + expected[1], new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aDownloadEightTimesTheProxysHeapArrivesWhole() throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/source").toURL().openConnection();
        c.setReadTimeout(60_000);
        assertEquals(200, c.getResponseCode());
        assertEquals(SIZE, c.getContentLengthLong());
        try (InputStream in = c.getInputStream()) {
            long[] got = digest(in);
            long[] expected = digest(patternStream(SIZE));
            assertEquals(expected[0], got[0], "bytes");
            assertEquals(expected[1], got[1], "checksum");
        }
    }

    /** Byte i is (i * 31 + i / 4096) mod 256: no two nearby blocks alike, so a lost or repeated block shows. */
    private static void pattern(OutputStream out, long size) throws java.io.IOException {
        byte[] block = new byte[64 * 1024];
        for (long done = 0; done < size; ) {
            int n = (int) Math.min(block.length, size - done);
            for (int i = 0; i < n; i++) {
                long at = done + i;
                block[i] = (byte) (at * 31 + at / 4096);
            }
            out.write(block, 0, n);
            done += n;
        }
    }

    private static InputStream patternStream(long size) throws java.io.IOException {
        java.io.PipedInputStream in = new java.io.PipedInputStream(64 * 1024);
        java.io.PipedOutputStream out = new java.io.PipedOutputStream(in);
        Thread.ofVirtual().start(() -> {
            try (out) {
                pattern(out, size);
            } catch (java.io.IOException ignored) {
                // the reader stopped
            }
        });
        return in;
    }

    /** The byte count and a position-weighted sum of the bytes. */
    private static long[] digest(InputStream in) throws java.io.IOException {
        byte[] buf = new byte[64 * 1024];
        long count = 0;
        long sum = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            for (int i = 0; i < n; i++) {
                sum = sum * 31 + (buf[i] & 0xff);
            }
            count += n;
        }
        return new long[] {count, sum};
    }
}
