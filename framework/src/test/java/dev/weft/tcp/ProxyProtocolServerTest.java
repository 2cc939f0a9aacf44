package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server that expects the PROXY protocol, over real sockets (on both transports, like the TCP suite). */
class ProxyProtocolServerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TcpServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    /** Answers each connection with the addresses it sees, then the first line the client sent. */
    private TcpServer start() {
        server = TcpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(registry)
                .acceptProxyProtocol(true).handshakeTimeout(Duration.ofMillis(500))
                .handler(conn -> {
                    byte[] line = new java.io.BufferedReader(new java.io.InputStreamReader(conn.in(), StandardCharsets.US_ASCII))
                            .readLine().getBytes(StandardCharsets.US_ASCII);
                    conn.out().write((conn.remoteAddress() + " " + conn.localAddress() + " ").getBytes(StandardCharsets.US_ASCII));
                    conn.out().write(line);
                }).start();
        return server;
    }

    private String exchange(byte[] first) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(first);
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private double closed(String cause) {
        return registry.get("weft.tcp.connections.closed").tag("cause", cause).counter().count();
    }

    @Test
    void theConnectionsAddressesAreTheOnesTheHeaderNames() throws IOException {
        start();
        for (ProxyProtocol.Version v : ProxyProtocol.Version.values()) {
            String seen = exchange(ProxyProtocol.encode(v, new InetSocketAddress("203.0.113.7", 51000),
                    new InetSocketAddress("198.51.100.1", 443)));
            assertEquals("/203.0.113.7:51000 /198.51.100.1:443 hello", seen, v.toString());
        }
    }

    @Test
    void aLocalHeaderLeavesTheSocketsOwnAddresses() throws IOException {
        start();
        String seen = exchange("PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(true, seen.startsWith("/127.0.0.1:"), seen);
        assertEquals(true, seen.endsWith(" hello"), seen);
    }

    @Test
    void aConnectionWithoutAHeaderIsClosedAndCounted() throws IOException {
        start();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            try {
                assertEquals(-1, s.getInputStream().read(), "nothing is answered");
            } catch (java.net.SocketException reset) {
                // closed with the request unread: the kernel resets, which is as good an answer
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> closed("protocol_error") == 1.0);
    }

    @Test
    void aHeaderThatNeverComesTimesOut() throws IOException {
        start();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("PROXY TCP4 1.2".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, s.getInputStream().read());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> closed("read_timeout") == 1.0);
    }

    @Test
    void withTlsItIsRefusedAtStart() throws Exception {
        assertThrows(IllegalStateException.class, () -> TcpServer.builder().meterRegistry(registry).acceptProxyProtocol(true)
                .tls(javax.net.ssl.SSLContext.getDefault()).handler(conn -> { }).start());
    }
}
