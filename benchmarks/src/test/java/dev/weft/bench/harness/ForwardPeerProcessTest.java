package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.bench.Loopback;
import dev.weft.bench.load.TunnelSink;
import dev.weft.bench.load.Warmup;
import dev.weft.bench.proc.Proc;
import dev.weft.bench.servers.BenchServer;
import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Squid and tinyproxy started by the harness, for real, with the configs it writes: they forward
 * absolute-form requests (the harness's warm-up among them) to an in-process {@code netty-http},
 * tunnel an upload to the sink's port and refuse {@code CONNECT} to any other, start again on
 * another port when theirs is taken, and leave no process behind. Skipped where the binary is not
 * installed ({@code ./weft bench} installs both).
 */
@Timeout(90)
class ForwardPeerProcessTest {

    private static final long MIB = 1024 * 1024;

    @ParameterizedTest
    @EnumSource(value = ServerKind.class, names = {"SQUID", "TINYPROXY"})
    void itForwardsAbsoluteFormTunnelsToTheSinkOnlyAndStopsCompletely(ServerKind kind, @TempDir Path dir)
            throws Exception {
        ProxyPeer peer = ProxyPeer.of(kind).orElseThrow();
        assumeTrue(peer.installed(), peer.binary() + " is not installed");
        ProcessHandle handle;
        try (BenchServer backend = ServerKind.NETTY_HTTP.start(100);
                TunnelSink sink = new TunnelSink(8 * MIB);
                PeerProcess proxy = PeerProcess.start(peer, sink.port(), dir)) {
            handle = ProcessHandle.of(proxy.pid()).orElseThrow();
            assertTrue(Proc.of(proxy.pid()).listensOn(proxy.port()));
            assertEquals(1, proxy.processes().size(), "one process, no workers or kids");
            String authority = "127.0.0.1:" + backend.port();
            for (int i = 0; i < 3; i++) { // tinyproxy closes each connection after one response: a new one each
                try (Socket socket = new Socket(Loopback.address(), proxy.port())) {
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(("GET http://" + authority + "/hello HTTP/1.1\r\nHost: " + authority
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    String head = readHead(socket.getInputStream());
                    assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
                    assertTrue(head.toLowerCase().contains("\r\nvia: "), head);
                    assertArrayEquals(Protocol.HELLO_BODY, socket.getInputStream().readNBytes(13));
                }
            }
            try (Socket socket = connect(proxy.port(), sink.port())) {
                String head = readHead(socket.getInputStream());
                assertTrue(head.matches("HTTP/1\\.[01] 200 (?s).*"), head);
                byte[] chunk = new byte[64 * 1024];
                for (long sent = 0; sent < 8 * MIB; sent += chunk.length) {
                    socket.getOutputStream().write(chunk);
                }
                assertEquals(8 * MIB, new java.io.DataInputStream(socket.getInputStream()).readLong(), "the sink's count");
            }
            Warmup.forward(proxy.port(), backend.port()); // a new connection per request suits every proxy
            // CONNECT to a port that is not the sink's: refused by the config, not tunnelled.
            try (Socket socket = connect(proxy.port(), backend.port())) {
                String head = readHead(socket.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 403 ") || head.startsWith("HTTP/1.0 403 "), head);
            }
        }
        assertFalse(handle.isAlive(), kind + " still runs after close");
        assertTrue(handle.children().findAny().isEmpty());
    }

    @ParameterizedTest
    @EnumSource(value = ServerKind.class, names = {"SQUID", "TINYPROXY"})
    void aPortTakenByAnotherProcessMakesItStartAgainOnAnother(ServerKind kind, @TempDir Path dir) throws Exception {
        ProxyPeer peer = ProxyPeer.of(kind).orElseThrow();
        assumeTrue(peer.installed(), peer.binary() + " is not installed");
        try (ServerSocket taken = new ServerSocket(0, 1, Loopback.address())) {
            Deque<Integer> ports = new ArrayDeque<>(List.of(taken.getLocalPort()));
            try (PeerProcess proxy = PeerProcess.start(peer, 443, dir,
                    () -> ports.isEmpty() ? PeerProcess.freePort() : ports.pop())) {
                assertNotEquals(taken.getLocalPort(), proxy.port());
                assertTrue(Proc.of(proxy.pid()).listensOn(proxy.port()));
                String log = Files.readString(proxy.log(), StandardCharsets.UTF_8);
                assertTrue(log.contains(peer.bindFailure()), log);
            }
        }
    }

    /** A connection to the proxy that has sent {@code CONNECT 127.0.0.1:PORT}. */
    private static Socket connect(int proxyPort, int port) throws IOException {
        Socket socket = new Socket(Loopback.address(), proxyPort);
        socket.setSoTimeout(10_000);
        String authority = "127.0.0.1:" + port;
        socket.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return socket;
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
