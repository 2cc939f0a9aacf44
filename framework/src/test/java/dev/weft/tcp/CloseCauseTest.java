package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every way a connection ends is counted under its own {@code cause} tag of
 * {@code weft.tcp.connections.closed}, and under no other.
 */
class CloseCauseTest {

    private final ServerFixture fixture = new ServerFixture();
    private final CountDownLatch handlerStarted = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void peerClosedWhenTheHandlerReturnsAfterEndOfStream() {
        fixture.start(Handlers.echo());
        TestClient client = fixture.connect();
        client.assertEchoes("bye");

        client.close();

        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 1);
    }

    @Test
    void completedWhenTheHandlerReturnsBeforeThePeerCloses() {
        fixture.start(conn -> conn.out().write("done".getBytes(StandardCharsets.US_ASCII)));

        TestClient client = fixture.connect();

        assertEquals("done", new String(client.readToEnd(), StandardCharsets.US_ASCII));
        fixture.awaitOnlyClosed(CloseCause.COMPLETED, 1);
    }

    @Test
    void resetWhenThePeerAbortsWhileTheHandlerReads() throws Exception {
        fixture.start(conn -> {
            handlerStarted.countDown();
            conn.in().transferTo(conn.out());
        });
        TestClient client = fixture.connect();
        assertTrue(handlerStarted.await(10, TimeUnit.SECONDS));

        client.abort(); // SO_LINGER 0: RST, and the server's read fails with ECONNRESET

        fixture.awaitOnlyClosed(CloseCause.RESET, 1);
    }

    @Test
    void brokenPipeOrResetWhenWritingToAPeerThatHasGone() {
        fixture.start(conn -> {
            conn.in().transferTo(conn.out()); // until the peer's FIN
            // The first write draws a reset from the closed peer, a later one fails (EPIPE on Linux).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                conn.out().write(new byte[1024]);
            }
        });
        TestClient client = fixture.connect();
        client.assertEchoes("about to leave");

        client.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.closedTotal() == 1);
        Map<CloseCause, Long> counts = fixture.closedCounts();
        CloseCause cause = counts.entrySet().stream().filter(e -> e.getValue() == 1).findFirst().orElseThrow().getKey();
        assertTrue(Set.of(CloseCause.BROKEN_PIPE, CloseCause.RESET).contains(cause), "counted as " + counts);
    }

    @Test
    void readTimeoutWhenThePeerSendsNothing() {
        fixture.start(Handlers.echo(), b -> b.idleTimeout(Duration.ofMillis(200)));

        fixture.connect().assertEnded();

        fixture.awaitOnlyClosed(CloseCause.READ_TIMEOUT, 1);
    }

    @Test
    void writeTimeoutWhenThePeerStopsReading() {
        fixture.start(Handlers::flood, b -> b.writeTimeout(Duration.ofMillis(300)).sendBufferSize(4096));

        fixture.connect(s -> s.setReceiveBufferSize(4096));

        fixture.awaitOnlyClosed(CloseCause.WRITE_TIMEOUT, 1);
    }

    @Test
    void limitWhenRejectedOverTheConnectionLimit() {
        fixture.start(Handlers.echo(), b -> b.maxConnections(1).limitMode(LimitMode.REJECT));
        TestClient served = fixture.connect();
        served.assertEchoes("in");

        fixture.connect().assertEnded();

        fixture.awaitOnlyClosed(CloseCause.LIMIT, 1);
    }

    @Test
    void shutdownWhenTheServerCloses() {
        fixture.start(Handlers.echo());
        TestClient client = fixture.connect();
        client.assertEchoes("waiting for more");

        fixture.server().close();

        client.assertEnded();
        fixture.awaitOnlyClosed(CloseCause.SHUTDOWN, 1);
    }

    @Test
    void handlerErrorWhenTheHandlerThrowsSomethingElse() {
        fixture.start(conn -> {
            throw new IllegalStateException("a bug in the handler");
        });

        fixture.connect().assertEnded();

        fixture.awaitOnlyClosed(CloseCause.HANDLER_ERROR, 1);
    }

    @Test
    void handlerErrorForAnIoExceptionThatIsNotAboutThePeer() {
        fixture.start(conn -> {
            throw new IOException("protocol violation");
        });

        fixture.connect().assertEnded();

        fixture.awaitOnlyClosed(CloseCause.HANDLER_ERROR, 1);
    }

    @Test
    void failuresAreRecognisedByTypeThroughWrappingExceptions() {
        NetworkException reset = new NetworkException(NetworkException.Kind.RESET, "Connection reset");
        assertEquals(CloseCause.RESET, TcpConnection.classify(reset));
        assertEquals(CloseCause.RESET, TcpConnection.classify(new UncheckedIOException(reset)));
        assertEquals(CloseCause.BROKEN_PIPE, TcpConnection.classify(
                new NetworkException(NetworkException.Kind.BROKEN_PIPE, "Broken pipe")));
        assertEquals(CloseCause.NETWORK_ERROR, TcpConnection.classify(
                new NetworkException(NetworkException.Kind.TIMED_OUT, "Connection timed out")));
        assertEquals(CloseCause.READ_TIMEOUT, TcpConnection.classify(
                new RuntimeException(new SocketTimeoutException("Read timed out"))));
        assertNull(TcpConnection.classify(new IOException("protocol violation")));
        // The transports type their failures; a message alone (a socket of the handler's own) is not read.
        assertNull(TcpConnection.classify(new SocketException("Connection reset")));
        assertNull(TcpConnection.classify(new IllegalStateException("Connection reset")));
        assertNull(TcpConnection.classify(null));
    }
}
