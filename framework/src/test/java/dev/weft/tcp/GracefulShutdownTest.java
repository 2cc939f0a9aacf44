package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link TcpServer#close()}: stop accepting, end idle connections, let busy ones finish, then force. */
class GracefulShutdownTest {

    private static final int REPLY_SIZE = 256 * 1024;

    private final ServerFixture fixture = new ServerFixture();
    private final CountDownLatch requestRead = new CountDownLatch(1);
    private final CountDownLatch mayReply = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        mayReply.countDown();
        fixture.close();
    }

    /**
     * Reads 4-byte requests; for "SLOW" it waits for {@link #mayReply} before its reply, so the test
     * can hold it in the middle of an exchange. Every reply is {@link #REPLY_SIZE} bytes.
     */
    private ConnectionHandler requestReply() {
        return conn -> {
            byte[] request;
            while ((request = conn.in().readNBytes(4)).length == 4) {
                if (Arrays.equals(request, "SLOW".getBytes())) {
                    requestRead.countDown();
                    assertTrue(mayReply.await(20, TimeUnit.SECONDS));
                }
                conn.out().write(reply());
            }
        };
    }

    private static byte[] reply() {
        byte[] reply = new byte[REPLY_SIZE];
        Arrays.fill(reply, (byte) 'r');
        reply[REPLY_SIZE - 1] = '\n';
        return reply;
    }

    @Test
    void busyExchangeFinishesAndIdleConnectionEndsPromptlyWhileCloseRuns() throws Exception {
        TcpServer server = fixture.start(requestReply(), b -> b.drainTimeout(Duration.ofSeconds(30)));
        int port = server.port();
        TestClient idle = fixture.connect();
        idle.send("FAST");
        assertArrayEquals(reply(), idle.readExactly(REPLY_SIZE)); // now blocked in its next read
        TestClient busy = fixture.connect();
        busy.send("SLOW");
        assertTrue(requestRead.await(10, TimeUnit.SECONDS));

        long closeStart = System.nanoTime();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);

        // The idle connection ends at once, long before the 30 s drain timeout.
        idle.assertEnded();
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.closed(CloseCause.SHUTDOWN) == 1);
        assertTrue(server.isClosing());
        assertFalse(closing.isDone(), "close() returned while an exchange was in flight");
        assertEquals(1, server.activeConnections());

        mayReply.countDown();

        assertArrayEquals(reply(), busy.readExactly(REPLY_SIZE), "the busy client gets its full reply");
        busy.assertEnded(); // its next read saw the shutdown
        closing.get(10, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - closeStart < TimeUnit.SECONDS.toNanos(10), "waited for the drain timeout");
        assertEquals(0, server.activeConnections());
        assertEquals(2, fixture.closed(CloseCause.SHUTDOWN));
        assertEquals(2, fixture.closedTotal());
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
    }

    @Test
    void connectionStillBusyAfterTheDrainTimeoutIsForceClosed() throws Exception {
        // A handler stuck writing to a peer that does not read: busy, and the 60 s write timeout is far off.
        CompletableFuture<Throwable> handlerFailure = new CompletableFuture<>();
        Duration drain = Duration.ofMillis(300);
        TcpServer server = fixture.start(conn -> {
            requestRead.countDown();
            try {
                Handlers.flood(conn);
            } catch (IOException e) {
                handlerFailure.complete(e);
                throw e;
            }
        }, b -> b.drainTimeout(drain).sendBufferSize(4096));
        fixture.connect(s -> s.setReceiveBufferSize(4096));
        assertTrue(requestRead.await(10, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.bytesWritten() > 0);

        long start = System.nanoTime();
        server.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(closeMillis >= drain.toMillis() - 10, "closed after " + closeMillis + " ms, before the drain timeout");
        assertTrue(closeMillis < 5_000, "close took " + closeMillis + " ms");
        assertInstanceOf(IOException.class, handlerFailure.get(5, TimeUnit.SECONDS));
        assertEquals(1, fixture.closed(CloseCause.SHUTDOWN));
        assertEquals(1, fixture.closedTotal());
        assertEquals(0, server.activeConnections());
    }

    @Test
    void closeReturnsPromptlyWhileTheAcceptLoopWaitsForAPermit() {
        TcpServer server = fixture.start(Handlers.echo(),
                b -> b.maxConnections(1).drainTimeout(Duration.ofSeconds(30)));
        TestClient served = fixture.connect();
        served.assertEchoes("holding the only permit");
        TestClient queued = fixture.connect(); // waits in the backlog
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.limitWaits() == 1);

        long start = System.nanoTime();
        server.close();

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "close waited for the drain timeout");
        served.assertEnded();
        queued.assertEnded();
        assertEquals(1, fixture.closed(CloseCause.SHUTDOWN));
        assertEquals(1, fixture.opened());
    }

    @Test
    void closeTwiceAndAwaitCloseReturnOnceClosed() throws Exception {
        TcpServer server = fixture.start(Handlers.echo());
        fixture.connect().assertEchoes("hi");

        server.close();
        server.close();
        server.awaitClose();

        assertTrue(server.isClosing());
        assertEquals(1, fixture.closed(CloseCause.SHUTDOWN));
    }
}
