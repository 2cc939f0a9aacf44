package dev.weft.bench.servers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.Loopback;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every server the benchmarks compare does its job correctly over real sockets, and stops cleanly. */
@Timeout(60)
class ReferenceServersTest {

    private static final int BYTES = 256 * 1024;
    /** {@code Date: Wed, 25 Nov 2026 06:39:00 GMT}, the field name in either case. */
    private static final Pattern IMF_DATE_FIELD = Pattern.compile(
            "(?i)\r\ndate: (?-i)[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n");

    @ParameterizedTest
    @EnumSource(value = ServerKind.class, names = {"WEFT", "NETTY", "NIO", "PLATFORM", "NAIVE_VIRTUAL"})
    void echoServersReturnEveryByteOnEveryConnection(ServerKind kind) throws Exception {
        try (BenchServer server = kind.start(100);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int seed = c;
                done.add(pool.submit(() -> {
                    echoInChunks(server.port(), seed);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = ServerKind.class, names = {"WEFT", "NETTY", "NIO", "PLATFORM", "NAIVE_VIRTUAL"})
    void closingAnEchoServerClosesItsConnections(ServerKind kind) throws Exception {
        BenchServer server = kind.start(100);
        try (Socket socket = new Socket(Loopback.address(), server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(1);
            assertEquals(1, socket.getInputStream().read());
            server.close();
            assertTrue(endsOrResets(socket.getInputStream()), kind + " left the connection open");
        }
    }

    @ParameterizedTest
    @EnumSource(value = ServerKind.class, names = {"WEFT_HTTP", "NETTY_HTTP"})
    void httpServersAnswerHelloOnOneKeepAliveConnection(ServerKind kind) throws Exception {
        try (BenchServer server = kind.start(100); Socket socket = new Socket(Loopback.address(), server.port())) {
            socket.setSoTimeout(10_000);
            for (int i = 0; i < 2; i++) {
                socket.getOutputStream().write(Protocol.HELLO_REQUEST);
                String head = readHead(socket.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
                assertTrue(head.toLowerCase().contains("\r\ncontent-length: 13\r\n"), head);
                assertTrue(IMF_DATE_FIELD.matcher(head).find(), head);
                assertArrayEquals(Protocol.HELLO_BODY, socket.getInputStream().readNBytes(13));
            }
        }
    }

    @Test
    void weftsReverseProxyForwardsHelloToItsBackendOnKeptAliveConnections() throws Exception {
        try (BenchServer backend = ServerKind.NETTY_HTTP.start(100);
                BenchServer proxy = ServerKind.WEFT_PROXY.start(100, backend.port());
                Socket socket = new Socket(Loopback.address(), proxy.port())) {
            socket.setSoTimeout(10_000);
            for (int i = 0; i < 3; i++) {
                socket.getOutputStream().write(Protocol.HELLO_REQUEST);
                String head = readHead(socket.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
                assertTrue(head.toLowerCase().contains("\r\ncontent-length: 13\r\n"), head);
                assertTrue(head.toLowerCase().contains("\r\nvia: "), "a proxy adds Via: " + head);
                assertTrue(IMF_DATE_FIELD.matcher(head).find(), "the backend's Date: " + head);
                assertArrayEquals(Protocol.HELLO_BODY, socket.getInputStream().readNBytes(13));
            }
        }
    }

    @Test
    void weftsTcpProxyRelaysEveryByteOfEveryConnectionToItsEchoBackend() throws Exception {
        try (BenchServer backend = ServerKind.NETTY.start(100);
                BenchServer proxy = ServerKind.WEFT_TCP_PROXY.start(100, backend.port());
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int seed = c;
                done.add(pool.submit(() -> {
                    echoInChunks(proxy.port(), seed);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    @Test
    void weftsForwardProxyForwardsAbsoluteFormRequestsAndTunnelsOnlyToItsConnectPort() throws Exception {
        try (BenchServer backend = ServerKind.NETTY_HTTP.start(100);
                ServerSocket target = new ServerSocket(0, 10, Loopback.address());
                BenchServer proxy = ServerKind.WEFT_FWD.start(100, 0, target.getLocalPort())) {
            String authority = "127.0.0.1:" + backend.port();
            byte[] get = ("GET http://" + authority + "/hello HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            try (Socket socket = new Socket(Loopback.address(), proxy.port())) {
                socket.setSoTimeout(10_000);
                for (int i = 0; i < 3; i++) { // on one kept-alive client connection
                    socket.getOutputStream().write(get);
                    String head = readHead(socket.getInputStream());
                    assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
                    assertTrue(head.toLowerCase().contains("\r\nvia: "), "a proxy adds Via: " + head);
                    assertTrue(IMF_DATE_FIELD.matcher(head).find(), "the backend's Date: " + head);
                    assertArrayEquals(Protocol.HELLO_BODY, socket.getInputStream().readNBytes(13));
                }
                // Origin-form is no request for a forward proxy.
                socket.getOutputStream().write(Protocol.HELLO_REQUEST);
                assertTrue(readHead(socket.getInputStream()).startsWith("HTTP/1.1 400 "));
            }
            try (Socket socket = new Socket(Loopback.address(), proxy.port())) {
                socket.setSoTimeout(10_000);
                String sink = "127.0.0.1:" + target.getLocalPort();
                socket.getOutputStream().write(("CONNECT " + sink + " HTTP/1.1\r\nHost: " + sink + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                assertTrue(readHead(socket.getInputStream()).startsWith("HTTP/1.1 200 "));
                try (Socket far = target.accept()) {
                    far.setSoTimeout(10_000);
                    socket.getOutputStream().write("through".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("through", new String(far.getInputStream().readNBytes(7), StandardCharsets.US_ASCII));
                }
            }
            try (Socket socket = new Socket(Loopback.address(), proxy.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                assertTrue(readHead(socket.getInputStream()).startsWith("HTTP/1.1 403 "), "only its connect port");
            }
        }
    }

    @Test
    void theProxyKindsThatAreNoJvmServersSaySoAndWeftsProxyNeedsABackend() {
        for (ServerKind kind : List.of(ServerKind.NGINX_PROXY, ServerKind.HAPROXY_PROXY, ServerKind.DIRECT)) {
            assertFalse(kind.inJvm(), kind.label());
            assertEquals(Protocol.PROXY, kind.protocol());
            assertThrows(UnsupportedOperationException.class, () -> kind.start(10, 8080));
        }
        assertTrue(ServerKind.WEFT_PROXY.inJvm());
        assertEquals(Protocol.PROXY, ServerKind.WEFT_PROXY.protocol());
        assertThrows(IllegalArgumentException.class, () -> ServerKind.WEFT_PROXY.start(10));
        for (String label : List.of("weft-proxy", "nginx-proxy", "haproxy-proxy", "direct")) {
            assertEquals(label, ServerKind.of(label).label());
        }
        for (ServerKind kind : List.of(ServerKind.SQUID, ServerKind.TINYPROXY)) {
            assertFalse(kind.inJvm(), kind.label());
            assertEquals(Protocol.FORWARD, kind.protocol());
            assertThrows(UnsupportedOperationException.class, () -> kind.start(10, 0, 443));
        }
        assertTrue(ServerKind.WEFT_FWD.inJvm());
        assertThrows(IllegalArgumentException.class, () -> ServerKind.WEFT_FWD.start(10, 8080));
        assertFalse(ServerKind.HAPROXY_TCP.inJvm());
        assertEquals(Protocol.TCP_PROXY, ServerKind.HAPROXY_TCP.protocol());
        assertThrows(UnsupportedOperationException.class, () -> ServerKind.HAPROXY_TCP.start(10, 8080));
        assertTrue(ServerKind.WEFT_TCP_PROXY.inJvm());
        assertEquals(Protocol.TCP_PROXY, ServerKind.WEFT_TCP_PROXY.protocol());
        String why = assertThrows(IllegalArgumentException.class, () -> ServerKind.WEFT_TCP_PROXY.start(10))
                .getMessage();
        assertTrue(why.startsWith("weft-tcp-proxy needs the backend's port"), why);
        // direct is the reference of every proxy scenario, and only it speaks more than one protocol.
        assertTrue(ServerKind.DIRECT.speaks(Protocol.PROXY) && ServerKind.DIRECT.speaks(Protocol.FORWARD)
                && ServerKind.DIRECT.speaks(Protocol.TCP_PROXY));
        assertFalse(ServerKind.DIRECT.speaks(Protocol.ECHO) || ServerKind.DIRECT.speaks(Protocol.HTTP));
        assertFalse(ServerKind.WEFT_FWD.speaks(Protocol.PROXY) || ServerKind.WEFT_PROXY.speaks(Protocol.FORWARD)
                || ServerKind.WEFT_TCP_PROXY.speaks(Protocol.ECHO) || ServerKind.WEFT_PROXY.speaks(Protocol.TCP_PROXY));
        for (Protocol p : Protocol.values()) {
            assertEquals(p == Protocol.PROXY || p == Protocol.FORWARD || p == Protocol.TCP_PROXY, p.proxied(), p.name());
        }
        for (String label : List.of("weft-fwd", "squid", "tinyproxy", "weft-tcp-proxy", "haproxy-tcp")) {
            assertEquals(label, ServerKind.of(label).label());
        }
    }

    @Test
    void httpServersSendResponsesOfTheSameLength() throws Exception {
        int weft = helloHead(ServerKind.WEFT_HTTP).length();
        int netty = helloHead(ServerKind.NETTY_HTTP).length();
        assertEquals(weft, netty, "the compared HTTP servers must send the same bytes per response");
    }

    private static String helloHead(ServerKind kind) throws Exception {
        try (BenchServer server = kind.start(10); Socket socket = new Socket(Loopback.address(), server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(Protocol.HELLO_REQUEST);
            return readHead(socket.getInputStream());
        }
    }

    @ParameterizedTest
    @EnumSource(value = ServerKind.class, names = {"WEFT", "NETTY"})
    void serverKindsAreFoundByLabel(ServerKind kind) {
        assertEquals(kind, ServerKind.of(kind.label()));
        assertThrows(IllegalArgumentException.class, () -> ServerKind.of("tomcat"));
    }

    private static void echoInChunks(int port, int seed) throws IOException {
        byte[] data = new byte[BYTES];
        new Random(seed).nextBytes(data);
        try (Socket socket = new Socket(Loopback.address(), port)) {
            socket.setSoTimeout(10_000);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int off = 0; off < data.length; off += 1000) {
                        socket.getOutputStream().write(data, off, Math.min(1000, data.length - off));
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] back = socket.getInputStream().readNBytes(BYTES);
            assertArrayEquals(data, back);
            writer.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean endsOrResets(InputStream in) {
        try {
            return in.read() == -1;
        } catch (IOException reset) {
            return true;
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside the head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
