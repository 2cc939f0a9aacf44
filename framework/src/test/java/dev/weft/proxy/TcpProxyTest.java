package dev.weft.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.Endpoint;
import dev.weft.tcp.ConnectionHandler;
import dev.weft.tcp.TcpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The TCP proxy between real sockets on loopback: clients, the proxy and upstream servers. */
class TcpProxyTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    private final List<UpstreamGroup> groups = new ArrayList<>();

    @AfterEach
    void everyPickIsReleasedThenCloseAll() throws Exception {
        try {
            for (UpstreamGroup g : groups) {
                for (Upstream u : g.upstreams()) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> g.inFlight(u) == 0);
                }
            }
        } finally {
            while (!closing.isEmpty()) {
                closing.pop().close();
            }
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.push(resource);
        return resource;
    }

    private Upstream upstream(ConnectionHandler handler) {
        TcpServer server = closeLater(TcpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry()).handler(handler).start());
        return Upstream.of(new Endpoint("127.0.0.1", server.port()));
    }

    /** A port nothing listens on: bound, then freed. */
    private static Upstream dead() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Upstream.of(new Endpoint("127.0.0.1", s.getLocalPort()));
        }
    }

    private TcpProxy proxy(TcpProxy.Builder builder) {
        return closeLater(builder.meterRegistry(registry).start());
    }

    private UpstreamGroup group(Upstream... upstreams) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("proxied").meterRegistry(registry);
        for (Upstream u : upstreams) {
            b.add(u);
        }
        UpstreamGroup g = closeLater(b.build());
        groups.add(g);
        return g;
    }

    private Socket connect(TcpProxy proxy) throws Exception {
        Socket s = closeLater(new Socket(InetAddress.getLoopbackAddress(), proxy.port()));
        s.setSoTimeout(10_000);
        return s;
    }

    private double counter(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).counter().count();
    }

    /** Connects, reads until the server's end of stream, and closes (the relay ends only when both sides have). */
    private String receive(TcpProxy proxy) throws Exception {
        try (Socket s = connect(proxy)) {
            return readAll(s);
        }
    }

    private static String readAll(Socket s) throws Exception {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void relaysBothWaysByteForByte() throws Exception {
        Upstream echo = upstream(c -> c.in().transferTo(c.out()));
        TcpProxy proxy = proxy(TcpProxy.builder(group(echo)));
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);

        Socket client = connect(proxy);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                client.getOutputStream().write(data);
                client.shutdownOutput();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] back = client.getInputStream().readAllBytes();
        writer.join();

        assertArrayEquals(data, back);
        await().atMost(Duration.ofSeconds(10)).until(() -> counter("weft.proxy.tcp.connections", "outcome", "relayed") == 1);
        assertEquals(data.length, counter("weft.proxy.tcp.bytes", "direction", "upstream"));
        assertEquals(data.length, counter("weft.proxy.tcp.bytes", "direction", "downstream"));
    }

    @Test
    void theClientsHalfCloseReachesTheServerWhichCanStillAnswer() throws Exception {
        Upstream counting = upstream(c -> {
            long n = c.in().transferTo(OutputStream.nullOutputStream()); // until the client's FIN
            c.out().write(("got " + n + " bytes").getBytes(StandardCharsets.UTF_8));
        });
        TcpProxy proxy = proxy(TcpProxy.builder(group(counting)));

        Socket client = connect(proxy);
        client.getOutputStream().write(new byte[5000]);
        client.shutdownOutput();
        assertEquals("got 5000 bytes", readAll(client));
    }

    @Test
    void connectionsAreSpreadByTheGroupsStrategy() throws Exception {
        Upstream a = upstream(c -> c.out().write('A'));
        Upstream b = upstream(c -> c.out().write('B'));
        TcpProxy proxy = proxy(TcpProxy.builder(group(a, b)));

        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(receive(proxy));
        }
        assertEquals(List.of("A", "B", "A", "B"), seen);
    }

    @Test
    void aRefusedServerIsMarkedFailedAndTheNextOneTried() throws Exception {
        Upstream down = dead();
        Upstream up = upstream(c -> c.out().write("up".getBytes(StandardCharsets.UTF_8)));
        UpstreamGroup group = group(down, up);
        TcpProxy proxy = proxy(TcpProxy.builder(group));

        assertEquals("up", receive(proxy)); // round robin tried the refused one first
        assertFalse(group.isAvailable(down), "max_fails 1");
        assertEquals(1.0, registry.get("weft.upstream.failures").tag("server", down.toString())
                .tag("kind", "request").counter().count());
        assertEquals("up", receive(proxy));
    }

    @Test
    void aServerThatDoesNotAcceptWithinTheConnectTimeoutIsSkipped() throws Exception {
        // A listener that never accepts, with its accept queue full: the kernel drops further SYNs,
        // so a connect to it neither succeeds nor is refused: it times out.
        ServerSocket full = closeLater(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        for (int i = 0; i < 10; i++) {
            Socket filler = closeLater(new Socket());
            try {
                filler.connect(full.getLocalSocketAddress(), 500);
            } catch (SocketTimeoutException queueFull) {
                break;
            }
        }
        Upstream stuck = Upstream.of(new Endpoint("127.0.0.1", full.getLocalPort()));
        Upstream up = upstream(c -> c.out().write("up".getBytes(StandardCharsets.UTF_8)));
        UpstreamGroup group = group(stuck, up);
        TcpProxy proxy = proxy(TcpProxy.builder(group).connectTimeout(Duration.ofMillis(200)));

        assertEquals("up", receive(proxy)); // round robin tried the stuck one first
        assertFalse(group.isAvailable(stuck));
    }

    @Test
    void withNoServerReachableTheClientIsClosedAndCounted() throws Exception {
        TcpProxy proxy = proxy(TcpProxy.builder(group(dead(), dead())));

        Socket client = connect(proxy);
        assertEquals(-1, client.getInputStream().read());
        await().atMost(Duration.ofSeconds(10)).until(() -> counter("weft.proxy.tcp.connections", "outcome", "no_upstream") == 1);
        // Both are out now (max_fails 1): the next client is refused by the group, not by connects.
        assertEquals(-1, connect(proxy).getInputStream().read());
        await().atMost(Duration.ofSeconds(10)).until(() -> counter("weft.proxy.tcp.connections", "outcome", "no_upstream") == 2);
    }

    @Test
    void nothingMovingForTheIdleTimeoutClosesBothSides() throws Exception {
        CountDownLatch upstreamClosed = new CountDownLatch(1);
        Upstream silent = upstream(c -> {
            c.in().transferTo(OutputStream.nullOutputStream()); // until the proxy closes
            upstreamClosed.countDown();
        });
        TcpProxy proxy = proxy(TcpProxy.builder(group(silent)).idleTimeout(Duration.ofMillis(300)));

        Socket client = connect(proxy);
        assertEquals(-1, client.getInputStream().read());
        assertEquals(true, upstreamClosed.await(10, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(10)).until(() -> counter("weft.proxy.tcp.connections", "outcome", "idle") == 1);
    }

    @Test
    void aDownloadKeepsTheRelayOpenWhileTheClientIsSilent() throws Exception {
        Upstream trickle = upstream(c -> {
            for (int i = 0; i < 30; i++) {
                c.out().write('x');
                Thread.sleep(100); // the server's own pace, not a wait for state
            }
        });
        TcpProxy proxy = proxy(TcpProxy.builder(group(trickle)).idleTimeout(Duration.ofSeconds(2)));

        Socket client = connect(proxy);
        assertEquals("x".repeat(30), readAll(client), "3 s of download, the client silent throughout");
        client.close(); // the relay waits for the client's side to end too (half-close)
        await().atMost(Duration.ofSeconds(10)).until(() -> counter("weft.proxy.tcp.connections", "outcome", "relayed") == 1);
    }

    @Test
    void aClientThatResetsResetsItsUpstreamConnection() throws Exception {
        CountDownLatch upstreamConnected = new CountDownLatch(1);
        CompletableFuture<String> upstreamEnd = new CompletableFuture<>();
        Upstream waiting = upstream(c -> {
            upstreamConnected.countDown();
            try {
                c.in().transferTo(OutputStream.nullOutputStream());
                upstreamEnd.complete("end of stream");
            } catch (IOException e) {
                upstreamEnd.complete("failed: " + e.getMessage());
            }
        });
        TcpProxy proxy = proxy(TcpProxy.builder(group(waiting)));

        Socket client = connect(proxy);
        assertEquals(true, upstreamConnected.await(10, TimeUnit.SECONDS));
        client.setSoLinger(true, 0);
        client.close(); // RST
        assertEquals("failed: Connection reset", upstreamEnd.get(10, TimeUnit.SECONDS),
                "a broken client connection must not look like a finished one");
        await().atMost(Duration.ofSeconds(10)).until(() -> counter("weft.proxy.tcp.connections", "outcome", "client_error") == 1);
    }

    @Test
    void anUploadKeepsTheRelayOpenWhileTheServerIsSilent() throws Exception {
        Upstream counting = upstream(c -> {
            long n = c.in().transferTo(OutputStream.nullOutputStream());
            c.out().write(("got " + n).getBytes(StandardCharsets.UTF_8));
        });
        TcpProxy proxy = proxy(TcpProxy.builder(group(counting)).idleTimeout(Duration.ofSeconds(2)));

        Socket client = connect(proxy);
        for (int i = 0; i < 30; i++) {
            client.getOutputStream().write('x');
            Thread.sleep(100); // the client's own pace, not a wait for state
        }
        client.shutdownOutput();
        assertEquals("got 30", readAll(client), "3 s of upload, the server silent throughout");
    }

    @Test
    void aClientThatNeverClosesAfterTheServerDidEndsByTheIdleTimeout() throws Exception {
        Upstream bye = upstream(c -> c.out().write("bye".getBytes(StandardCharsets.UTF_8)));
        TcpProxy proxy = proxy(TcpProxy.builder(group(bye)).idleTimeout(Duration.ofMillis(300)));

        Socket client = connect(proxy);
        assertEquals("bye", readAll(client)); // the server's FIN came through; the client keeps its side open
        await().atMost(Duration.ofSeconds(10)).until(() -> counter("weft.proxy.tcp.connections", "outcome", "idle") == 1);
    }

    @Test
    void aGracefulCloseLetsAnUploadFinish() throws Exception {
        Upstream counting = upstream(c -> {
            long n = c.in().transferTo(OutputStream.nullOutputStream());
            c.out().write(("got " + n).getBytes(StandardCharsets.UTF_8));
        });
        TcpProxy proxy = proxy(TcpProxy.builder(group(counting)));
        Socket client = connect(proxy);
        client.getOutputStream().write(new byte[1000]);
        await().atMost(Duration.ofSeconds(10)).until(() -> inFlight() == 1); // relaying

        Thread closer = Thread.ofVirtual().start(proxy::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                return false; // still accepting (this probe sends nothing)
            } catch (IOException refused) {
                return true;
            }
        });
        client.getOutputStream().write(new byte[500]); // after close() began
        client.shutdownOutput();
        assertEquals("got 1500", readAll(client));
        closer.join(Duration.ofSeconds(10));
        assertFalse(closer.isAlive());
        assertEquals(1500.0, counter("weft.proxy.tcp.bytes", "direction", "upstream"));
    }

    private int inFlight() {
        int n = 0;
        for (UpstreamGroup g : groups) {
            for (Upstream u : g.upstreams()) {
                n += g.inFlight(u);
            }
        }
        return n;
    }

    @Test
    void theDefaultsArePinned() {
        assertEquals(Duration.ofSeconds(5), TcpProxy.DEFAULT_CONNECT_TIMEOUT);
        assertEquals(Duration.ofMinutes(10), TcpProxy.DEFAULT_IDLE_TIMEOUT);
        assertEquals(3, TcpProxy.DEFAULT_MAX_ATTEMPTS);
    }

    @Test
    void badSettingsAreRefusedWithTheReason() throws Exception {
        UpstreamGroup g = group(dead());
        assertEquals("maxAttempts must be 1 or more, was 0",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> TcpProxy.builder(g).maxAttempts(0)).getMessage());
        assertEquals("idleTimeout must be 1 ms to PT8760H, was PT0S",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> TcpProxy.builder(g).idleTimeout(Duration.ZERO)).getMessage());
        assertEquals("connectTimeout must be 1 ms to PT1H, was PT720H",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> TcpProxy.builder(g).connectTimeout(Duration.ofDays(30))).getMessage());
    }
}
