package dev.weft.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.http.HttpServer;
import dev.weft.tcp.TestCertificates;
import dev.weft.tcp.Tls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser through the forward proxy: headless Chromium (Debian's package) with
 * {@code --proxy-server} loads a page over plain HTTP and over HTTPS through a CONNECT tunnel, and
 * the test reads what it rendered ({@code --dump-dom}) and what the proxy counted.
 */
class ForwardProxyBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String PAGE = "<!doctype html><html><head><title>t</title></head>"
            + "<body><p id=\"proof\">rendered through %s</p><script>document.getElementById('proof')"
            + ".setAttribute('data-js', 'ran')</script></body></html>";

    @TempDir
    Path dir;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    private HttpServer front;
    private HttpServer plain;
    private HttpServer secure;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed (./weft test installs it)");
        plain = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(new SimpleMeterRegistry())
                .fallback((req, res) -> page(res, "http")).start());
        Path[] pem = TestCertificates.pem(dir, "ec");
        secure = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(new SimpleMeterRegistry())
                .tls(Tls.fromPem(pem[0], pem[1])).fallback((req, res) -> page(res, "https")).start());
        ForwardProxy proxy = closeLater(ForwardProxy.builder().meterRegistry(registry)
                .allow(List.of(AddressRange.parse("127.0.0.1"))).connectPorts(Set.of(secure.port())).build());
        front = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry()).fallback(proxy).start());
    }

    private static void page(dev.weft.http.Response res, String scheme) throws java.io.IOException {
        res.header("Content-Type", "text/html; charset=utf-8");
        res.send(PAGE.formatted(scheme));
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!closing.isEmpty()) {
            closing.pop().close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.push(resource);
        return resource;
    }

    /** The DOM Chromium rendered for {@code url}, loaded through the proxy. */
    private String render(String url, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "profile"),
                "--proxy-server=http://127.0.0.1:" + front.port(),
                "--proxy-bypass-list=<-loopback>", // Chromium would skip the proxy for 127.0.0.1 otherwise
                "--dump-dom"));
        command.addAll(List.of(extra));
        command.add(url);
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("chromium.log").toFile()).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return dom;
    }

    private double count(String meter, String outcome) {
        io.micrometer.core.instrument.Counter c = registry.find(meter).tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aPageLoadsThroughTheProxyOverHttp() throws Exception {
        String dom = render("http://127.0.0.1:" + plain.port() + "/");

        assertTrue(dom.contains("rendered through http"), dom);
        assertTrue(dom.contains("data-js=\"ran\""), "the page's script ran: " + dom);
        assertTrue(count("weft.proxy.forward.requests", "ok") >= 1);
    }

    @Test
    void aPageLoadsThroughACONNECTTunnelOverHttps() throws Exception {
        String dom = render("https://127.0.0.1:" + secure.port() + "/", "--ignore-certificate-errors");

        assertTrue(dom.contains("rendered through https"), dom);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("weft.proxy.forward.tunnels", "relayed")
                + count("weft.proxy.forward.tunnels", "client_error") + count("weft.proxy.forward.tunnels", "idle") >= 1);
    }
}
