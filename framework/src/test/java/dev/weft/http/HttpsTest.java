package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.tcp.TestCertificates;
import dev.weft.tcp.Tls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same server over TLS, checked with the JDK's HttpClient and with curl. */
class HttpsTest {

    @TempDir
    Path dir;
    private Path cert;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        Path[] pem = TestCertificates.pem(dir, "ec");
        cert = pem[0];
        server = HttpServer.builder()
                .bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .tls(Tls.fromPem(pem[0], pem[1]))
                .get("/who", (req, res) -> res.send((req.isSecure() ? "https " : "http ") + req.path()))
                .post("/echo", (req, res) -> res.send(req.bodyBytes()))
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void jdkClientGetsAnswersOverTlsOnOneConnection() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(TestCertificates.trusting(cert)).build();
        URI base = URI.create("https://127.0.0.1:" + server.port());

        HttpResponse<String> who = client.send(HttpRequest.newBuilder(base.resolve("/who")).build(),
                HttpResponse.BodyHandlers.ofString());
        byte[] body = new byte[100_000];
        java.util.Arrays.fill(body, (byte) 'z');
        HttpResponse<byte[]> echo = client.send(HttpRequest.newBuilder(base.resolve("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, who.statusCode());
        assertEquals("https /who", who.body());
        assertEquals(100_000, echo.body().length);
        assertEquals(1, server.activeConnections(), "both requests on one kept-alive TLS connection");
    }

    @Test
    void curlVerifiesTheCertificateAndGetsTheAnswer() throws Exception {
        Process curl = new ProcessBuilder(List.of("curl", "-sS", "--max-time", "10", "--cacert", cert.toString(),
                "https://127.0.0.1:" + server.port() + "/who")).redirectErrorStream(true).start();
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(curl.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, curl.exitValue(), output);
        assertEquals("https /who", output);
    }
}
