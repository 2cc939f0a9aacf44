package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TcpServer.Builder#clientSpeaksFirst(Duration)}: on the epoll transport a connection's
 * handler starts only when its first bytes (or its close) come; a silent one is timed out or drained
 * without ever reaching the handler; nothing sent with the connect is lost. On the JDK transport the
 * option changes nothing a handler can see.
 */
@Timeout(60)
class ClientSpeaksFirstTest {

    private static final boolean EPOLL_RUNS = Transport.EPOLL.isAvailable();
    private static final Duration LONG = Duration.ofMinutes(1);

    private final ServerFixture fixture = new ServerFixture();
    private final AtomicInteger handlers = new AtomicInteger();
    private final CompletableFuture<Long> firstHandlerStart = new CompletableFuture<>();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    /** Counts and times handler starts, then echoes. */
    private ConnectionHandler countingEcho() {
        return conn -> {
            handlers.incrementAndGet();
            firstHandlerStart.complete(System.nanoTime());
            conn.in().transferTo(conn.out());
        };
    }

    private void startOnEpoll(Duration firstBytesTimeout) {
        fixture.start(countingEcho(), b -> b.transport(Transport.EPOLL).clientSpeaksFirst(firstBytesTimeout));
    }

    @Test
    void theHandlerStartsWhenTheFirstBytesComeNotAtAccept() throws Exception {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        startOnEpoll(LONG);
        TestClient client = fixture.connect();
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.server().activeConnections() == 1);
        long beforeFirstBytes = System.nanoTime();
        assertFalse(firstHandlerStart.isDone(), "the handler started before the client wrote");

        client.assertEchoes("first words");

        assertTrue(firstHandlerStart.get(5, TimeUnit.SECONDS) - beforeFirstBytes > 0,
                "the handler started before the client wrote");
        client.assertEchoes("and more");
        assertEquals(1, handlers.get());
    }

    @Test
    void bytesSentWithTheConnectAreServedOnEveryConnection() {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        startOnEpoll(LONG);
        List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            TestClient client = fixture.connect();
            client.send("hello " + i + "\n"); // most of these arrive before the server accepts
            clients.add(client);
        }
        for (int i = 0; i < clients.size(); i++) {
            String expected = "hello " + i + "\n";
            assertEquals(expected, clients.get(i).readString(expected.length()));
            clients.get(i).assertEchoes("again " + i);
        }
        assertEquals(200, handlers.get());
    }

    @Test
    void aSilentConnectionIsClosedAtTheFirstBytesTimeoutWithoutReachingTheHandler() {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        Duration timeout = Duration.ofMillis(300);
        startOnEpoll(timeout);
        long start = System.nanoTime();
        TestClient client = fixture.connect();

        assertEquals("eof", client.assertEnded());
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(elapsedMillis >= timeout.toMillis() - 10, "closed after " + elapsedMillis + " ms");
        assertTrue(elapsedMillis < 3_000, "closed only after " + elapsedMillis + " ms");
        fixture.awaitOnlyClosed(CloseCause.READ_TIMEOUT, 1);
        assertEquals(0, fixture.server().activeConnections());
        assertEquals(0, handlers.get(), "the handler never saw the silent connection");
    }

    @Test
    void aGracefulCloseEndsSilentConnectionsAtOnce() {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        startOnEpoll(LONG);
        List<TestClient> silent = List.of(fixture.connect(), fixture.connect(), fixture.connect());
        TestClient talking = fixture.connect();
        talking.assertEchoes("busy");
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.server().activeConnections() == 4);

        long start = System.nanoTime();
        fixture.server().close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(closeMillis < ServerFixture.TEST_DRAIN_TIMEOUT.toMillis(),
                "close waited " + closeMillis + " ms: the drain timeout, not at once");
        for (TestClient client : silent) {
            assertEquals("eof", client.assertEnded());
        }
        talking.assertEnded();
        fixture.awaitOnlyClosed(CloseCause.SHUTDOWN, 4);
        assertEquals(1, handlers.get(), "only the talking connection reached the handler");
    }

    @Test
    void aPeerThatClosesBeforeWritingReachesTheHandlerAsEndOfStream() {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        startOnEpoll(LONG);
        TestClient client = fixture.connect();
        client.shutdownOutput();

        assertEquals("eof", client.assertEnded());
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 1);
        assertEquals(1, handlers.get());
    }

    @Test
    void onTheJdkTransportTheHandlerStartsAtAcceptAsUsual() {
        fixture.start(conn -> {
            conn.out().write("hello first\n".getBytes(StandardCharsets.US_ASCII));
            conn.in().transferTo(conn.out());
        }, b -> b.transport(Transport.JDK).clientSpeaksFirst(LONG));
        TestClient client = fixture.connect();

        assertEquals("hello first\n", client.readString("hello first\n".length()));
        client.assertEchoes("then echo");
    }

    @Test
    void aTimeoutTooLongForNanosecondsMeansNoTimeout() {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        startOnEpoll(java.time.temporal.ChronoUnit.FOREVER.getDuration());
        TestClient client = fixture.connect();

        client.assertEchoes("still served");
        assertEquals(0, fixture.closedTotal());
    }

    @Test
    void theTimeoutMustBePositive() {
        TcpServer.Builder builder = TcpServer.builder();
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> builder.clientSpeaksFirst(Duration.ZERO));
        assertEquals("firstBytesTimeout must be positive, was PT0S", zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.clientSpeaksFirst(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> builder.clientSpeaksFirst(null));
    }
}
