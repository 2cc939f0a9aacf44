package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Connection#continueWhenReadable}: a line protocol whose handler answers one line and hands
 * the connection back. On the epoll transport each line runs on a new virtual thread and none waits
 * in between; the wait times out, drains and sees the peer's close like a read; bytes already in the
 * socket are not missed. On the JDK transport it declines and the handler reads on.
 */
@Timeout(60)
class ContinueWhenReadableTest {

    private static final boolean EPOLL_RUNS = Transport.EPOLL.isAvailable();
    private static final Duration LONG = Duration.ofMinutes(1);
    private static final int BUFFER = 64;

    private final ServerFixture fixture = new ServerFixture();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Boolean> continued = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    /**
     * Answers each line of a read with "re: " + line; hands the connection back after each read
     * where the transport allows. The clients here write whole lines.
     */
    private final class LineHandler implements ConnectionHandler {
        private final Duration wait;

        LineHandler(Duration wait) {
            this.wait = wait;
        }

        @Override
        public void handle(Connection conn) throws IOException {
            byte[] buf = new byte[BUFFER];
            for (;;) {
                threads.add(Thread.currentThread());
                int n = conn.in().read(buf);
                if (n < 0) {
                    return;
                }
                StringBuilder replies = new StringBuilder();
                for (String line : new String(buf, 0, n, StandardCharsets.US_ASCII).split("\n")) {
                    replies.append("re: ").append(line).append('\n');
                }
                conn.out().write(replies.toString().getBytes(StandardCharsets.US_ASCII));
                boolean handedBack = conn.continueWhenReadable(wait, this);
                continued.add(handedBack);
                if (handedBack) {
                    return;
                }
            }
        }
    }

    private void startOnEpoll(Duration wait) {
        fixture.start(new LineHandler(wait), b -> b.transport(Transport.EPOLL));
    }

    private static void exchange(TestClient client, String line) {
        client.send(line + "\n");
        String expected = "re: " + line + "\n";
        assertEquals(expected, client.readString(expected.length()));
    }

    @Test
    void eachLineRunsOnANewThreadAndNoThreadWaitsInBetween() {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        startOnEpoll(LONG);
        TestClient client = fixture.connect();
        for (int i = 0; i < 3; i++) {
            exchange(client, "line " + i);
            Thread handler = threads.get(i);
            await("the handler's thread ends while the connection waits").atMost(Duration.ofSeconds(5))
                    .until(() -> !handler.isAlive());
        }
        assertEquals(3, threads.stream().distinct().count(), "one thread per line: " + threads);
        assertEquals(List.of(true, true, true), continued);
        assertEquals(1, fixture.server().activeConnections(), "the connection stays open");
    }

    @Test
    void bytesLeftInTheSocketAfterAFullReadAreReadWithoutANewEvent() {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        // Counts bytes, answers only once all came, and hands back after every read. The first read
        // fills the buffer and leaves 4 bytes in the socket; as nothing is written before them, no
        // event will come (not even an acknowledgement's), so the hand-back must not wait for one.
        int total = BUFFER + 4;
        AtomicInteger received = new AtomicInteger();
        fixture.start(new ConnectionHandler() {
            @Override
            public void handle(Connection conn) throws IOException {
                threads.add(Thread.currentThread());
                byte[] buf = new byte[BUFFER];
                int n = conn.in().read(buf);
                if (n > 0 && received.addAndGet(n) == total) {
                    conn.out().write(("got " + total + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                if (n > 0) {
                    conn.continueWhenReadable(LONG, this);
                }
            }
        }, b -> b.transport(Transport.EPOLL).clientSpeaksFirst(LONG));
        TestClient client = fixture.connect();
        client.send(new byte[total]); // one write, one segment

        assertEquals("got " + total + "\n", client.readString(("got " + total + "\n").length()));
        assertEquals(2, threads.size(), threads.toString());
    }

    @Test
    void aSilentConnectionIsClosedAtTheTimeoutWithoutCallingTheHandlerAgain() {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        Duration wait = Duration.ofMillis(300);
        startOnEpoll(wait);
        TestClient client = fixture.connect();
        exchange(client, "hello");
        long start = System.nanoTime();

        assertEquals("eof", client.assertEnded());
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(elapsedMillis >= wait.toMillis() - 50, "closed after " + elapsedMillis + " ms");
        assertTrue(elapsedMillis < 3_000, "closed only after " + elapsedMillis + " ms");
        fixture.awaitOnlyClosed(CloseCause.READ_TIMEOUT, 1);
        assertEquals(1, threads.size(), "the handler ran once");
    }

    @Test
    void aGracefulCloseEndsAWaitingConnectionAtOnce() {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        startOnEpoll(LONG);
        TestClient client = fixture.connect();
        exchange(client, "hello");
        await().atMost(Duration.ofSeconds(5)).until(() -> !threads.get(0).isAlive());

        long start = System.nanoTime();
        fixture.server().close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(closeMillis < ServerFixture.TEST_DRAIN_TIMEOUT.toMillis(), "close waited " + closeMillis + " ms");
        assertEquals("eof", client.assertEnded());
        fixture.awaitOnlyClosed(CloseCause.SHUTDOWN, 1);
    }

    @Test
    void aPeerThatClosesWhileTheConnectionWaitsReachesTheNextHandlerAsEndOfStream() {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        startOnEpoll(LONG);
        TestClient client = fixture.connect();
        exchange(client, "hello");
        client.shutdownOutput();

        assertEquals("eof", client.assertEnded());
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 1);
        assertEquals(2, threads.size(), "the next handler ran and read the end of stream");
    }

    @Test
    void afterTheEndOfStreamItDeclinesSoAHandlerCannotSpinOnIt() {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        fixture.start(conn -> {
            threads.add(Thread.currentThread());
            while (conn.in().read() >= 0) {
                // read to the end
            }
            continued.add(conn.continueWhenReadable(LONG, c -> threads.add(Thread.currentThread())));
        }, b -> b.transport(Transport.EPOLL));
        TestClient client = fixture.connect();
        client.send("bye");
        client.shutdownOutput();

        assertEquals("eof", client.assertEnded());
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 1);
        assertEquals(List.of(false), continued);
        assertEquals(1, threads.size(), "the continuation never ran");
    }

    @Test
    void onTheJdkTransportItDeclinesAndTheHandlerReadsOnOnItsThread() {
        fixture.start(new LineHandler(LONG), b -> b.transport(Transport.JDK));
        TestClient client = fixture.connect();
        exchange(client, "one");
        exchange(client, "two");

        await().atMost(Duration.ofSeconds(5)).until(() -> continued.size() == 2);
        assertEquals(List.of(false, false), continued);
        assertSame(threads.get(0), threads.get(1));
        assertTrue(threads.get(0).isAlive(), "the thread waits for the next line");
    }

    @Test
    void badArgumentsAreRefusedWithAMessage() {
        List<RuntimeException> failures = new CopyOnWriteArrayList<>();
        fixture.start(conn -> {
            try {
                conn.continueWhenReadable(Duration.ZERO, c -> { });
            } catch (IllegalArgumentException e) {
                failures.add(e);
            }
            try {
                conn.continueWhenReadable(LONG, null);
            } catch (NullPointerException e) {
                failures.add(e);
            }
            conn.out().write('x');
        });
        TestClient client = fixture.connect();
        client.send("go");

        assertEquals("x", client.readString(1));
        assertEquals(2, failures.size(), failures.toString());
        assertEquals("timeout must be positive, was PT0S", failures.get(0).getMessage());
        assertEquals("next", failures.get(1).getMessage());
    }
}
