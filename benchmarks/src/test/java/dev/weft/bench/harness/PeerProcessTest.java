package dev.weft.bench.harness;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.bench.Loopback;
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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * nginx and HAProxy started by the harness, for real, in front of an in-process {@code netty-http}:
 * they forward, they are sampled with their children, a taken port makes them start again on
 * another, and closing them leaves no process behind; and HAProxy in {@code mode tcp} in front of an
 * in-process {@code netty} echo server. Skipped where the binary is not installed
 * ({@code ./weft bench} installs both; {@code ./weft test} installs nginx and HAProxy).
 */
@Timeout(90)
class PeerProcessTest {

    @ParameterizedTest
    @EnumSource(value = ServerKind.class, names = {"NGINX_PROXY", "HAPROXY_PROXY"})
    void itForwardsHelloOnAKeepAliveConnectionIsSampledWithItsChildrenAndStopsCompletely(ServerKind kind,
            @TempDir Path dir) throws Exception {
        ProxyPeer peer = ProxyPeer.of(kind).orElseThrow();
        assumeTrue(peer.installed(), peer.binary() + " is not installed");
        List<ProcessHandle> all;
        try (BenchServer backend = ServerKind.NETTY_HTTP.start(100);
                PeerProcess proxy = PeerProcess.start(peer, backend.port(), dir)) {
            assertTrue(Files.readString(dir.resolve(peer.configName())).contains("127.0.0.1:" + backend.port()));
            assertTrue(Proc.of(proxy.pid()).listensOn(proxy.port()));
            int expected = kind == ServerKind.NGINX_PROXY ? 3 : 1; // nginx: the master and two workers
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.processes().size() == expected);
            long cpu0 = proxy.cpuNanos();
            try (Socket socket = new Socket(Loopback.address(), proxy.port())) {
                socket.setSoTimeout(10_000);
                for (int i = 0; i < 200; i++) {
                    socket.getOutputStream().write(Protocol.HELLO_REQUEST);
                    String head = readHead(socket.getInputStream());
                    assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
                    assertTrue(head.toLowerCase().contains("\r\ncontent-length: 13\r\n"), head);
                    assertArrayEquals(Protocol.HELLO_BODY, socket.getInputStream().readNBytes(13));
                }
            }
            assertTrue(proxy.cpuNanos() >= cpu0);
            assertTrue(proxy.contextSwitches() > 0);
            all = ProcessHandle.of(proxy.pid()).orElseThrow().children().toList();
            all = new java.util.ArrayList<>(all);
            all.add(ProcessHandle.of(proxy.pid()).orElseThrow());
            assertEquals(expected, all.size());
        }
        for (ProcessHandle p : all) {
            assertFalse(p.isAlive(), "process " + p.pid() + " still runs after close");
        }
    }

    @ParameterizedTest
    @EnumSource(value = ServerKind.class, names = {"NGINX_PROXY", "HAPROXY_PROXY"})
    void aPortTakenByAnotherProcessMakesItStartAgainOnAnother(ServerKind kind, @TempDir Path dir) throws Exception {
        ProxyPeer peer = ProxyPeer.of(kind).orElseThrow();
        assumeTrue(peer.installed(), peer.binary() + " is not installed");
        try (ServerSocket taken = new ServerSocket(0, 1, Loopback.address());
                BenchServer backend = ServerKind.NETTY_HTTP.start(10)) {
            Deque<Integer> ports = new ArrayDeque<>(List.of(taken.getLocalPort()));
            try (PeerProcess proxy = PeerProcess.start(peer, backend.port(), dir,
                    () -> ports.isEmpty() ? PeerProcess.freePort() : ports.pop())) {
                assertNotEquals(taken.getLocalPort(), proxy.port());
                assertTrue(Proc.of(proxy.pid()).listensOn(proxy.port()));
                assertFalse(Proc.of(proxy.pid()).listensOn(taken.getLocalPort()));
                String log = Files.readString(proxy.log(), StandardCharsets.UTF_8);
                assertTrue(log.contains(peer.bindFailure()), log);
                assertTrue(Files.readString(dir.resolve(peer.configName())).contains("127.0.0.1:" + proxy.port()));
            }
        }
    }

    @Test
    void haproxyInTcpModeRelaysEachConnectionsEchoesTakesTheHarnesssWarmUpAndStopsCompletely(@TempDir Path dir)
            throws Exception {
        ProxyPeer peer = ProxyPeer.of(ServerKind.HAPROXY_TCP).orElseThrow();
        assumeTrue(peer.installed(), peer.binary() + " is not installed");
        ProcessHandle handle;
        try (BenchServer backend = ServerKind.NETTY.start(100);
                PeerProcess proxy = PeerProcess.start(peer, backend.port(), dir)) {
            handle = ProcessHandle.of(proxy.pid()).orElseThrow();
            String config = Files.readString(dir.resolve(peer.configName()));
            assertTrue(config.contains("mode tcp") && config.contains("127.0.0.1:" + backend.port()), config);
            assertEquals(1, proxy.processes().size(), "one process, its threads inside");
            long switches0 = proxy.contextSwitches();
            byte[] message = new byte[64];
            Random random = new Random(18);
            try (Socket a = new Socket(Loopback.address(), proxy.port());
                    Socket b = new Socket(Loopback.address(), proxy.port())) {
                for (Socket s : List.of(a, b)) {
                    s.setSoTimeout(10_000);
                    s.setTcpNoDelay(true);
                }
                for (int i = 0; i < 200; i++) { // each connection gets its own bytes back, not the other's
                    for (Socket s : List.of(a, b)) {
                        random.nextBytes(message);
                        s.getOutputStream().write(message);
                        assertArrayEquals(message, s.getInputStream().readNBytes(64), "round trip " + i);
                    }
                }
            }
            Warmup.run(Protocol.ECHO, proxy.port()); // what the harness does through it before measuring
            assertTrue(proxy.contextSwitches() > switches0);
        }
        assertFalse(handle.isAlive(), "HAProxy still runs after close");
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
