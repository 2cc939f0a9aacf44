package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.http.TransportPollers;
import dev.weft.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link OutboundSocket} from a plain virtual thread (always the JDK's socket) and from a
 * connection's thread of a {@link TcpServer} (on the epoll transport's carriers, a socket of that
 * carrier's poller: issue #18, step 8), each against a plain JDK server socket: a round trip, the
 * non-blocking {@code readNow}, half-close, reset, a refused connect and one that times out. The
 * surefire executions decide which transport and scheduler the server runs on; in the
 * {@code epoll-carriers} run the server-thread cases exercise the epoll socket.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class OutboundSocketTest {

    private static final String EXPECTED_SCHEDULER = System.getProperty("weft.test.expectScheduler");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** Code to run on a connection's thread (or a plain virtual thread); returns what the test checks. */
    private interface Body<T> {
        T run() throws Exception;
    }

    private ServerSocket backend;
    private TcpServer server;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    @BeforeEach
    void backend() throws IOException {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
        backend.close();
    }

    private InetSocketAddress backendAddress() {
        return (InetSocketAddress) backend.getLocalSocketAddress();
    }

    /** Runs {@code body} on a connection's thread of a TcpServer ({@code onServer}), or on a plain virtual thread. */
    private <T> T on(boolean onServer, Body<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                result.complete(body.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        };
        if (!onServer) {
            Thread.ofVirtual().start(task);
        } else {
            server = TcpServer.builder().name("outbound-test").bindAddress(InetAddress.getLoopbackAddress())
                    .handler(conn -> task.run()).start();
            Socket trigger = new Socket(InetAddress.getLoopbackAddress(), server.port());
            toClose.add(trigger);
        }
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private Socket accept() throws IOException {
        Socket s = backend.accept();
        toClose.add(s);
        return s;
    }

    @Test
    void aConnectionThreadOnCarriersWaitsOnItsCarriersPoller() throws Exception {
        assumeTrue(EXPECTED_SCHEDULER != null, "weft.test.expectScheduler is set by the pom's executions");
        Transport expected = EXPECTED_SCHEDULER.equals("carriers") ? Transport.EPOLL : Transport.JDK;
        Transport seen = on(true, () -> {
            try (OutboundSocket s = OutboundSocket.connect(backendAddress(), TIMEOUT)) {
                return s.transport();
            }
        });
        assertEquals(expected, seen);
        assertEquals(Transport.JDK, on(false, () -> {
            try (OutboundSocket s = OutboundSocket.connect(backendAddress(), TIMEOUT)) {
                return s.transport();
            }
        }), "a virtual thread of the JDK's scheduler gets the JDK's socket");
    }

    @ParameterizedTest(name = "on a server thread: {0}")
    @ValueSource(booleans = {false, true})
    void bytesGoBothWaysAndReadNowNeverWaits(boolean onServer) throws Exception {
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return accept();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String result = on(onServer, () -> {
            try (OutboundSocket s = OutboundSocket.connect(backendAddress(), TIMEOUT)) {
                Socket peer = accepted.get(10, TimeUnit.SECONDS);
                byte[] one = new byte[16];
                assertEquals(0, s.readNow(one, 0, one.length), "nothing has arrived");
                s.out().write("ping".getBytes(StandardCharsets.US_ASCII));
                byte[] got = peer.getInputStream().readNBytes(4);
                assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), got);
                peer.getOutputStream().write("pong!".getBytes(StandardCharsets.US_ASCII));
                byte[] back = s.in().readNBytes(4);
                int n;
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((n = s.readNow(one, 0, one.length)) == 0 && System.nanoTime() < until) {
                    Thread.onSpinWait(); // the last byte is on its way over loopback
                }
                assertEquals(1, n, "readNow takes the byte that has arrived");
                assertEquals('!', one[0]);
                assertEquals(backendAddress(), s.remoteAddress());
                assertEquals(peer.getRemoteSocketAddress(), s.localAddress());
                s.shutdownOutput();
                assertEquals(-1, peer.getInputStream().read(), "the half-close reaches the server");
                peer.getOutputStream().write('x');
                assertEquals('x', s.in().read(), "the other direction goes on");
                peer.close();
                assertEquals(-1, s.in().read());
                return new String(back, StandardCharsets.US_ASCII);
            }
        });
        assertEquals("pong", result);
    }

    @ParameterizedTest(name = "on a server thread: {0}")
    @ValueSource(booleans = {false, true})
    void readNowSeesTheEndOfStream(boolean onServer) throws Exception {
        assertEquals(-1, on(onServer, () -> {
            try (OutboundSocket s = OutboundSocket.connect(backendAddress(), TIMEOUT)) {
                accept().close();
                byte[] b = new byte[1];
                int n;
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((n = s.readNow(b, 0, 1)) == 0 && System.nanoTime() < until) {
                    Thread.onSpinWait(); // the FIN is on its way over loopback
                }
                return n;
            }
        }));
    }

    @ParameterizedTest(name = "on a server thread: {0}")
    @ValueSource(booleans = {false, true})
    void resetSendsRstAndCloseWakesABlockedRead(boolean onServer) throws Exception {
        String seen = on(onServer, () -> {
            OutboundSocket s = OutboundSocket.connect(backendAddress(), TIMEOUT);
            Socket peer = accept();
            CompletableFuture<Throwable> blocked = new CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    blocked.complete(new AssertionError("read returned " + s.in().read()));
                } catch (IOException e) {
                    blocked.complete(e);
                }
            });
            s.reset();
            assertFalse(s.isOpen());
            assertTrue(blocked.get(10, TimeUnit.SECONDS) instanceof IOException, "the blocked read fails at once");
            reader.join();
            s.close(); // again: nothing happens
            IOException e = assertThrows(IOException.class, () -> peer.getInputStream().read());
            assertEquals(null, s.localAddress());
            return e.getMessage();
        });
        assertEquals("Connection reset", seen);
    }

    @ParameterizedTest(name = "on a server thread: {0}")
    @ValueSource(booleans = {false, true})
    void aRefusedConnectIsAConnectException(boolean onServer) throws Exception {
        InetSocketAddress closed = backendAddress();
        backend.close();
        assertThrows(ConnectException.class, () -> on(onServer, () -> OutboundSocket.connect(closed, TIMEOUT)));
    }

    @ParameterizedTest(name = "on a server thread: {0}")
    @ValueSource(booleans = {false, true})
    void aServerThatNeverAnswersTimesOut(boolean onServer) throws Exception {
        // A listener that never accepts, with its accept queue full: the kernel drops further SYNs.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            boolean queueFull = false;
            for (int i = 0; i < 16 && !queueFull; i++) {
                Socket filler = new Socket();
                toClose.add(filler);
                try {
                    filler.connect(full.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException e) {
                    queueFull = true;
                }
            }
            assumeTrue(queueFull, "the listen backlog did not fill with 16 connections");
            InetSocketAddress address = (InetSocketAddress) full.getLocalSocketAddress();
            long t0 = System.nanoTime();
            assertThrows(SocketTimeoutException.class,
                    () -> on(onServer, () -> OutboundSocket.connect(address, Duration.ofMillis(300))));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(millis >= 290 && millis < 10_000, "timed out after " + millis + " ms");
        }
    }

    @Test
    void badArgumentsAreRefusedWithASentence() {
        IllegalArgumentException unresolved = assertThrows(IllegalArgumentException.class,
                () -> OutboundSocket.connect(InetSocketAddress.createUnresolved("example.invalid", 80), TIMEOUT));
        assertTrue(unresolved.getMessage().contains("unresolved"), unresolved.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OutboundSocket.connect(backendAddress(), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Outbound.jdkOnly("epol"));
        assertTrue(Outbound.jdkOnly("JDK"));
        assertFalse(Outbound.jdkOnly("auto"));
    }

    @Test
    void aJdkChannelCanBeWrapped() throws Exception {
        try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(backendAddress());
                OutboundSocket s = OutboundSocket.of(channel)) {
            Socket peer = accept();
            OutputStream out = s.out();
            out.write(7);
            InputStream in = peer.getInputStream();
            assertEquals(7, in.read());
            assertEquals(Transport.JDK, s.transport());
        }
    }
}
