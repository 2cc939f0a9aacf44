package dev.weft.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.ClientTls;
import dev.weft.client.Endpoint;
import dev.weft.http.HttpServer;
import dev.weft.tcp.TestCertificates;
import dev.weft.tcp.Tls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reverse proxy speaking HTTPS to its server: verification, SNI and reuse, over real TLS. */
class ReverseProxyTlsTest {

    @TempDir
    Path dir;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    private Path cert;
    private HttpServer backend;

    @BeforeEach
    void httpsBackend() throws Exception {
        Path[] pem = TestCertificates.pem(dir, "ec");
        cert = pem[0];
        backend = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(new SimpleMeterRegistry())
                .tls(Tls.fromPem(pem[0], pem[1]))
                .fallback((req, res) -> {
                    seen.add(req.isSecure() + " " + req.remoteAddress().getPort());
                    res.send("secret");
                }).start();
        closing.push(backend);
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!closing.isEmpty()) {
            closing.pop().close();
        }
    }

    private HttpServer front(ClientTls tls, String host) {
        UpstreamGroup group = UpstreamGroup.builder("tls-" + closing.size()).meterRegistry(registry)
                .add(Upstream.of(new Endpoint(host, backend.port()))).build();
        closing.push(group);
        ReverseProxy proxy = ReverseProxy.builder(group).meterRegistry(registry).tls(tls).nextUpstream(java.util.Set.of()).build();
        closing.push(proxy);
        HttpServer front = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry()).fallback(proxy).start();
        closing.push(front);
        return front;
    }

    private HttpResponse<String> get(HttpServer front) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTrustedCertificateIsVerifiedAndTheConnectionReused() throws Exception {
        HttpServer front = front(ClientTls.trusting(cert), "localhost"); // the certificate names localhost

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get(front);
            assertEquals(200, r.statusCode());
            assertEquals("secret", r.body());
        }

        String first = seen.poll(5, TimeUnit.SECONDS);
        assertEquals(true, first.startsWith("true "), "the backend saw TLS: " + first);
        assertEquals(first, seen.poll(5, TimeUnit.SECONDS), "one kept-alive TLS connection");
        assertEquals(first, seen.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void anUntrustedCertificateIs502AndVerificationOffTakesIt() throws Exception {
        assertEquals(502, get(front(ClientTls.system(), "localhost")).statusCode(), "not in the JDK's trust store");
        assertEquals(502, get(front(ClientTls.trusting(cert).withServerName("example.com"), "localhost")).statusCode(),
                "trusted, but for another name");
        assertEquals(200, get(front(ClientTls.system().withVerify(false), "localhost")).statusCode(),
                "proxy_ssl_verify off: nginx's default");
    }
}
