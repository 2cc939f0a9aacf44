package dev.weft.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.dns.Resolver;
import dev.weft.http.Headers;
import dev.weft.http.HttpServer;
import dev.weft.http.TransportPollers;
import dev.weft.tcp.LogCapture;
import dev.weft.tcp.TestCertificates;
import dev.weft.tcp.Tls;
import dev.weft.testing.Answer;
import dev.weft.testing.LeakCheck;
import dev.weft.testing.MockUpstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The forward proxy with a real client (curl -x, curl -p) against local servers; nothing left open after each test. */
class ForwardProxyTest {

    /** The system resolver's lookup threads (shared by the process) idle out on their own time. */
    @RegisterExtension
    static final LeakCheck LEAKS = new LeakCheck().ignoringThreads("weft-dns-system-.*");

    private static final List<AddressRange> LOOPBACK = List.of(AddressRange.parse("127.0.0.1"));

    @TempDir
    Path dir;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    /** Method, target and headers of each request the origin got. */
    private final BlockingQueue<Object[]> seen = new LinkedBlockingQueue<>();
    private HttpServer origin;
    private LogCapture accessLog;

    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    @BeforeEach
    void start() {
        accessLog = LogCapture.of("dev.weft.proxy.access");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed (./weft test installs it)");
        origin = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .fallback((req, res) -> {
                    byte[] body = req.bodyBytes();
                    seen.add(new Object[] {req.method(), req.target(), req.headers(), req.remoteAddress().getPort()});
                    res.send("origin got " + req.method() + " " + req.target() + " " + new String(body, StandardCharsets.UTF_8));
                }).start());
    }

    @AfterEach
    void closeAll() throws Exception {
        accessLog.close();
        while (!closing.isEmpty()) {
            closing.pop().close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.push(resource);
        return resource;
    }

    private HttpServer proxy(ForwardProxy.Builder b) {
        ForwardProxy proxy = closeLater(b.meterRegistry(registry).build());
        return closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry()).fallback(proxy).start());
    }

    /** Runs curl with these arguments; its standard output, then "|" and the HTTP status it saw. */
    private String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-w", "|%{http_code}"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl did not end");
        return out;
    }

    private String originUrl(String path) {
        return "http://127.0.0.1:" + origin.port() + path;
    }

    @Test
    void curlGetsAndPostsThroughTheProxyOnOneKeptAliveConnection() throws Exception {
        HttpServer front = proxy(ForwardProxy.builder().allow(LOOPBACK));
        String proxyUrl = "http://127.0.0.1:" + front.port();

        assertEquals("origin got GET /a?x=1 |200", curl("-x", proxyUrl, originUrl("/a?x=1")));
        assertEquals("origin got POST /b hello|200", curl("-x", proxyUrl, "-d", "hello", originUrl("/b")));

        Object[] get = seen.poll(5, TimeUnit.SECONDS);
        Object[] post = seen.poll(5, TimeUnit.SECONDS);
        assertEquals("/a?x=1", get[1], "forwarded in origin-form");
        Headers h = (Headers) get[2];
        assertEquals("127.0.0.1:" + origin.port(), h.first("Host"));
        assertEquals("1.1 weft", h.first("Via"));
        assertNull(h.first("Proxy-Connection"), "curl sends Proxy-Connection; it stays on its hop");
        assertEquals(get[3], post[3], "both requests went over one pooled connection");
    }

    @Test
    void aTunnelCarriesTlsToTheOriginAndItsCertificate() throws Exception {
        Path[] pem = TestCertificates.pem(dir, "ec");
        HttpServer tls = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry()).tls(Tls.fromPem(pem[0], pem[1]))
                .fallback((req, res) -> res.send("secret over " + (req.isSecure() ? "tls" : "plain"))).start());
        HttpServer front = proxy(ForwardProxy.builder().allow(LOOPBACK).connectPorts(Set.of(tls.port())));

        String out = curl("-p", "-x", "http://127.0.0.1:" + front.port(), "--cacert", pem[0].toString(),
                "https://localhost:" + tls.port() + "/", "--resolve", "localhost:" + tls.port() + ":127.0.0.1");

        assertEquals("secret over tls|200", out, "curl verified the origin's certificate through the tunnel");
        await().atMost(Duration.ofSeconds(5)).until(() ->
                registry.get("weft.proxy.forward.tunnels").tag("outcome", "relayed").counter().count() == 1.0);
    }

    @Test
    void loopbackIsDeniedUnlessAllowedAndSoAreItsMappedForms() throws Exception {
        HttpServer front = proxy(ForwardProxy.builder());
        String proxyUrl = "http://127.0.0.1:" + front.port();

        assertTrue(curl("-x", proxyUrl, originUrl("/")).endsWith("|403"));
        assertTrue(curl("-x", proxyUrl, "http://[::ffff:127.0.0.1]:" + origin.port() + "/").endsWith("|403"),
                "an IPv4-mapped IPv6 literal of loopback");
        assertTrue(curl("-x", proxyUrl, "http://[::1]:" + origin.port() + "/").endsWith("|403"));
        assertEquals(0, seen.size(), "nothing reached the origin");
        assertEquals(3.0, registry.get("weft.proxy.forward.denied").tag("reason", "destination").counter().count());
    }

    @Test
    void aNameThatResolvesToAPrivateAddressIsDenied() throws Exception {
        Resolver rebinding = host -> {
            if (host.equals("intranet.example")) {
                return List.of(InetAddress.getByAddress(host, new byte[] {10, 0, 0, 1}));
            }
            throw new UnknownHostException(host);
        };
        HttpServer front = proxy(ForwardProxy.builder().resolver(rebinding));

        String out = curl("-x", "http://127.0.0.1:" + front.port(), "http://intranet.example/");

        assertTrue(out.startsWith("forbidden: intranet.example is 10.0.0.1"), out);
        assertTrue(out.endsWith("|403"), out);
    }

    @Test
    void connectGoesOnlyToAllowedPorts() throws Exception {
        HttpServer front = proxy(ForwardProxy.builder().allow(LOOPBACK));

        String out = rawProxy(front, "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n");

        assertTrue(out.startsWith("HTTP/1.1 403 "), out);
        assertTrue(out.contains("CONNECT to port 22 is not allowed"), out);
    }

    @Test
    void maxForwardsZeroIsAnsweredByTheProxyAndOtherwiseDecremented() throws Exception {
        HttpServer front = proxy(ForwardProxy.builder().allow(LOOPBACK));
        String target = originUrl("/opt");

        String zero = rawProxy(front, "OPTIONS " + target + " HTTP/1.1\r\nHost: x\r\nMax-Forwards: 0\r\nConnection: close\r\n\r\n");
        assertTrue(zero.startsWith("HTTP/1.1 200 "), zero);
        assertEquals(0, seen.size(), "answered by the proxy");

        rawProxy(front, "OPTIONS " + target + " HTTP/1.1\r\nHost: x\r\nMax-Forwards: 5\r\nConnection: close\r\n\r\n");
        assertEquals("4", ((Headers) seen.poll(5, TimeUnit.SECONDS)[2]).first("Max-Forwards"));
    }

    @Test
    void anOriginFormRequestIs400AndAnUnreachableOrigin502() throws Exception {
        HttpServer front = proxy(ForwardProxy.builder().allow(LOOPBACK));

        assertTrue(rawProxy(front, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 400 "));
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        assertTrue(curl("-x", "http://127.0.0.1:" + front.port(), "http://127.0.0.1:" + dead + "/").endsWith("|502"));
    }

    private static String rawProxy(HttpServer front, String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void basicProxyAuthenticationIs407WithoutCredentialsAndPassesWithThem() throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, "# proxy users\n" + ProxyCredentials.line("alice", "s3cret".toCharArray()) + "\n");
        HttpServer front = proxy(ForwardProxy.builder().allow(LOOPBACK).credentials(ProxyCredentials.read(users)));
        String proxyUrl = "http://127.0.0.1:" + front.port();

        String none = rawProxy(front, "GET " + originUrl("/") + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(none.startsWith("HTTP/1.1 407 "), none);
        assertTrue(none.contains("\r\nProxy-Authenticate: Basic realm=\"forward-proxy\""), none);
        assertTrue(curl("-x", proxyUrl, "--proxy-user", "alice:wrong", originUrl("/")).endsWith("|407"));
        assertTrue(curl("-x", proxyUrl, "--proxy-user", "mallory:s3cret", originUrl("/")).endsWith("|407"));
        assertEquals("origin got GET / |200", curl("-x", proxyUrl, "--proxy-user", "alice:s3cret", originUrl("/")));
        assertEquals("origin got GET / |200", curl("-x", proxyUrl, "--proxy-user", "alice:s3cret", originUrl("/")),
                "the second time from what was remembered");

        Headers h = (Headers) seen.poll(5, TimeUnit.SECONDS)[2];
        assertNull(h.first("Proxy-Authorization"), "the credentials stay with the proxy");
        assertEquals(1.0, registry.get("weft.proxy.forward.denied").tag("reason", "no_credentials").counter().count());
        assertEquals(2.0, registry.get("weft.proxy.forward.denied").tag("reason", "bad_credentials").counter().count());
    }

    @Test
    void aMalformedCredentialsFileNamesItsLine() throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, ProxyCredentials.line("alice", "x".toCharArray()) + "\nbob:plain:secret\n");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ProxyCredentials.read(users));
        assertTrue(e.getMessage().startsWith(users + ":2: "), e.getMessage());
    }

    @Test
    void eachRequestAndTunnelIsCountedWithItsBytesAndLoggedWhenItEnds() throws Exception {
        Path[] pem = TestCertificates.pem(dir, "ec");
        HttpServer tls = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry()).tls(Tls.fromPem(pem[0], pem[1]))
                .fallback((req, res) -> res.send("tls")).start());
        HttpServer front = proxy(ForwardProxy.builder().allow(LOOPBACK).connectPorts(Set.of(tls.port())).accessLog(true));
        String proxyUrl = "http://127.0.0.1:" + front.port();

        assertEquals("origin got POST /b hello|200", curl("-x", proxyUrl, "-d", "hello", originUrl("/b")));
        assertEquals("tls|200", curl("-p", "-x", proxyUrl, "--cacert", pem[0].toString(),
                "https://localhost:" + tls.port() + "/", "--resolve", "localhost:" + tls.port() + ":127.0.0.1"));
        assertTrue(rawProxy(front, "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n").startsWith("HTTP/1.1 403 "));

        await().atMost(Duration.ofSeconds(5)).until(() -> accessLog.lines().size() >= 3);
        String post = line(" POST ");
        assertTrue(post.matches("127\\.0\\.0\\.1 POST http://127\\.0\\.0\\.1:" + origin.port()
                + "/b 200 ok up=5 down=" + "origin got POST /b hello".length() + " \\d+ms"), post);
        String tunnel = line(" CONNECT localhost:");
        assertTrue(tunnel.matches("127\\.0\\.0\\.1 CONNECT localhost:" + tls.port() + " 200 relayed up=\\d+ down=\\d+ \\d+ms"), tunnel);
        long tunnelUp = Long.parseLong(tunnel.replaceAll(".* up=(\\d+) .*", "$1"));
        long tunnelDown = Long.parseLong(tunnel.replaceAll(".* down=(\\d+) .*", "$1"));
        assertTrue(tunnelUp > 200 && tunnelDown > 200, "a TLS handshake and a request went each way: " + tunnel);
        String denied = line(" CONNECT 127.0.0.1:22 ");
        assertTrue(denied.matches("127\\.0\\.0\\.1 CONNECT 127\\.0\\.0\\.1:22 403 denied up=0 down=0 \\d+ms"), denied);

        assertEquals(1.0, registry.get("weft.proxy.forward.requests").tag("outcome", "ok").counter().count());
        assertEquals(1.0, registry.get("weft.proxy.forward.tunnels").tag("outcome", "relayed").counter().count());
        assertEquals(1.0, registry.get("weft.proxy.forward.tunnels").tag("outcome", "denied").counter().count());
        assertEquals(5.0 + tunnelUp, registry.get("weft.proxy.forward.bytes").tag("direction", "upstream").counter().count());
        assertTrue(registry.get("weft.proxy.forward.bytes").tag("direction", "downstream").counter().count() > tunnelDown);
        assertEquals(2, registry.get("weft.proxy.forward.connect").timer().count(), "one new connection each");
        assertEquals(0.0, registry.get("weft.proxy.forward.active").tag("kind", "request").gauge().value());
        assertEquals(0.0, registry.get("weft.proxy.forward.active").tag("kind", "tunnel").gauge().value());
        assertEquals(List.of("all"), registry.find("weft.pool.connections.created").counters().stream()
                .map(c -> c.getId().getTag("endpoint")).toList(), "the pool's meters name no destination");
    }

    @Test
    void aTargetThatResetsIs502AndOneThatHangsIs504EachLoggedWithClientTargetAndCause() throws Exception {
        LogCapture log = LogCapture.of(ForwardProxy.class);
        try (MockUpstream target = MockUpstream.start()) {
            target.enqueue(Answer.resetAfterRequestHead(), Answer.noAnswer());
            HttpServer front = proxy(ForwardProxy.builder().allow(LOOPBACK).readTimeout(Duration.ofSeconds(1)));
            String proxyUrl = "http://127.0.0.1:" + front.port();

            String reset = curl("-x", proxyUrl, target.uri("/reset").toString());
            long start = System.nanoTime();
            String hung = curl("-x", proxyUrl, target.uri("/hang").toString());
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertTrue(reset.startsWith("bad gateway: 127.0.0.1:" + target.port() + " ") && reset.endsWith("|502"), reset);
            assertTrue(hung.startsWith("gateway timeout: ") && hung.endsWith("|504"), hung);
            assertTrue(millis >= 900 && millis < 10_000, "cut by the 1 s read timeout, after " + millis + " ms");
            assertEquals(2, target.requestCount(), "each went once: a fresh connection's failure is not retried");
            assertEquals(1.0, registry.get("weft.proxy.forward.requests").tag("outcome", "bad_gateway").counter().count());
            assertEquals(1.0, registry.get("weft.proxy.forward.requests").tag("outcome", "gateway_timeout").counter().count());
            List<String> warnings = log.warnings().stream().map(LogCapture.Line::message).toList();
            assertTrue(warnings.stream().anyMatch(w -> w.contains("GET " + target.uri("/reset") + " (client 127.0.0.1)")
                    && w.endsWith("answered 502")), warnings.toString());
            assertTrue(warnings.stream().anyMatch(w -> w.contains("/hang (client 127.0.0.1)") && w.endsWith("answered 504")),
                    warnings.toString());
        } finally {
            log.close();
        }
    }

    @Test
    void aClientThatVanishesMidTunnelClosesTheTargetSideAndLeavesNothingOpen() throws Exception {
        BlockingQueue<String> targetSaw = new LinkedBlockingQueue<>();
        java.net.ServerSocket listener = closeLater(new java.net.ServerSocket(0, 8, InetAddress.getLoopbackAddress()));
        Thread.ofVirtual().start(() -> {
            try (Socket s = listener.accept()) {
                byte[] b = new byte[5];
                s.getInputStream().readNBytes(b, 0, 5);
                targetSaw.add(new String(b, StandardCharsets.US_ASCII));
                s.getOutputStream().write("world".getBytes(StandardCharsets.US_ASCII));
                targetSaw.add(s.getInputStream().read() < 0 ? "end of stream" : "more bytes");
            } catch (IOException e) {
                targetSaw.add("failed: " + e.getMessage());
            }
        });
        HttpServer front = proxy(ForwardProxy.builder().allow(LOOPBACK).connectPorts(Set.of(listener.getLocalPort())));

        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            client.setSoTimeout(10_000);
            String authority = "127.0.0.1:" + listener.getLocalPort();
            client.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\nhello")
                    .getBytes(StandardCharsets.US_ASCII));
            StringBuilder answer = new StringBuilder();
            while (!answer.toString().endsWith("\r\n\r\nworld")) {
                int b = client.getInputStream().read();
                assertTrue(b >= 0 && answer.length() < 1000, "the tunnel's answer, then the target's bytes: " + answer);
                answer.append((char) b);
            }
            assertTrue(answer.toString().startsWith("HTTP/1.1 200 "), answer.toString());
            assertEquals("hello", targetSaw.poll(5, TimeUnit.SECONDS));
            client.setSoLinger(true, 0); // gone without a goodbye: a reset
        }

        String end = targetSaw.poll(10, TimeUnit.SECONDS);
        assertTrue(end != null && !end.equals("more bytes"), "the target's side was closed: " + end);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                registry.get("weft.proxy.forward.tunnels").tag("outcome", "client_error").counter().count() == 1.0);
        assertEquals(0.0, registry.get("weft.proxy.forward.active").tag("kind", "tunnel").gauge().value());
    }

    /** The one access log line containing {@code part}. */
    private String line(String part) {
        List<String> found = accessLog.messages().stream().filter(l -> l.contains(part)).toList();
        assertEquals(1, found.size(), part + " in " + accessLog.messages());
        return found.get(0);
    }
}
