package dev.weft.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.balance.UpstreamGroup;
import dev.weft.http.HttpServer;
import dev.weft.tcp.ProxyProtocol;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The PROXY protocol against a real HAProxy (Debian's haproxy, started per test): HAProxy's
 * {@code send-proxy} / {@code send-proxy-v2} in front of a Weft server that accepts it, and Weft's
 * TCP proxy sending it to a HAProxy frontend with {@code accept-proxy}. The client connects from
 * 127.0.0.2, so its address can be told apart from every hop's 127.0.0.1.
 */
class ProxyProtocolInteropTest {

    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final InetAddress CLIENT = loopback2();

    @TempDir
    Path dir;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();

    @BeforeEach
    void haproxyIsThere() {
        assumeTrue(Files.isExecutable(HAPROXY), "haproxy is not installed (./weft test installs it)");
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!closing.isEmpty()) {
            closing.pop().close();
        }
    }

    private static InetAddress loopback2() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts HAProxy in the foreground with {@code sections} after a small global part; returns its port. */
    private int haproxy(String mode, String frontendBind, String backendServer) throws Exception {
        int port = freePort();
        Path config = dir.resolve("haproxy-" + port + ".cfg");
        Files.writeString(config, """
                global
                    maxconn 100
                defaults
                    mode %s
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend f
                    bind 127.0.0.1:%d %s
                    %s
                    default_backend b
                backend b
                    server s %s
                """.formatted(mode, port, frontendBind, mode.equals("http") ? "option forwardfor" : "", backendServer));
        Process p = new ProcessBuilder(List.of(HAPROXY.toString(), "-db", "-f", config.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy-" + port + ".log").toFile()).start();
        closing.push(() -> {
            p.destroy();
            p.waitFor();
        });
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return p.isAlive();
            }
        });
        return port;
    }

    /** A GET from 127.0.0.2 to {@code port}; the response body. */
    private static String getFromSecondLoopback(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(CLIENT, 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return all.substring(all.indexOf("\r\n\r\n") + 4) + "|" + s.getLocalPort();
        }
    }

    @ParameterizedTest
    @EnumSource(ProxyProtocol.Version.class)
    void haproxyInFrontTellsAWeftServerTheRealClient(ProxyProtocol.Version version) throws Exception {
        HttpServer weft = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(registry)
                .acceptProxyProtocol(true)
                .fallback((req, res) -> res.send(req.remoteAddress().getAddress().getHostAddress() + ":" + req.remoteAddress().getPort()))
                .start();
        closing.push(weft);
        String send = version == ProxyProtocol.Version.V1 ? "send-proxy" : "send-proxy-v2";
        int front = haproxy("tcp", "", "127.0.0.1:" + weft.port() + " " + send);

        String[] seen = getFromSecondLoopback(front).split("\\|");

        assertEquals("127.0.0.2:" + seen[1], seen[0]);
    }

    @ParameterizedTest
    @EnumSource(ProxyProtocol.Version.class)
    void weftsTcpProxyTellsAHaproxyFrontendTheRealClient(ProxyProtocol.Version version) throws Exception {
        HttpServer backend = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(registry)
                .fallback((req, res) -> res.send(String.valueOf(req.header("X-Forwarded-For")))).start();
        closing.push(backend);
        int haproxy = haproxy("http", "accept-proxy", "127.0.0.1:" + backend.port());
        UpstreamGroup group = UpstreamGroup.builder("haproxy").add("127.0.0.1:" + haproxy).meterRegistry(registry).build();
        closing.push(group);
        TcpProxy weft = TcpProxy.builder(group).meterRegistry(registry).sendProxyProtocol(version).start();
        closing.push(weft);

        String[] seen = getFromSecondLoopback(weft.port()).split("\\|");

        assertEquals("127.0.0.2", seen[0]);
    }
}
