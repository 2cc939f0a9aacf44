package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.diag.SocketTable;
import dev.weft.diag.TcpState;
import dev.weft.tcp.TcpServer;
import dev.weft.testing.LeakCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The minimum send rate ({@link HttpLimits#minSendRate()}) against real slow and fast readers of a
 * large streamed response: a client that reads a few bytes at a time is cut within the grace plus
 * one piece and counted as {@code slow_reader}; a fast client, one reading at ten times the minimum
 * through the same small buffers, and a handler that writes slowly on purpose are left alone; with
 * the minimum off, the slow reader stays. A cut is a network event: logged at DEBUG, never at
 * WARNING or with a stack trace.
 *
 * <p>The server's send buffer is set small: Linux would give a loopback socket about 2 MB, and a
 * response that fits there is, as far as the server can tell, sent.
 */
@ExtendWith(LeakCheck.class)
class SlowReaderTest {

    private static final long MIN_RATE = 8 * 1024;
    private static final Duration GRACE = Duration.ofSeconds(1);
    /** What a write may wait once the client stops keeping up: the grace and one 8 KiB piece at the minimum. */
    private static final long BOUND_MILLIS = GRACE.toMillis() + 1000;
    private static final HttpLimits LIMITS = HttpLimits.DEFAULTS.withMinSendRate(MIN_RATE, GRACE); // send timeout 60 s
    private static final int SEND_BUFFER = 16 * 1024;
    private static final int CLIENT_BUFFER = 4 * 1024;
    private static final byte[] PAYLOAD = new byte[1024 * 1024];
    private static final int WRITE = 8 * 1024;
    private static final int EVENTS = 30;
    private static final String EVENT = "data: " + "e".repeat(92) + "\n\n"; // 100 bytes
    /** Held here: a logger's level lasts only as long as someone holds the logger. */
    private static final List<Logger> LOGGERS = List.of(Logger.getLogger(HttpServer.class.getName()),
            Logger.getLogger(TcpServer.class.getName()));

    static {
        new Random(15).nextBytes(PAYLOAD);
    }

    private final ClientFixture fixture = new ClientFixture();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    private final List<Throwable> handlerFailures = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final List<Level> levels = new ArrayList<>();

    /** The epoll transport starts its pollers with the first server in the JVM: before LeakCheck's baseline. */
    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        try (HttpServer s = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry()).fallback((req, res) -> res.send("ok")).start();
             Socket c = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            c.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            c.getInputStream().readAllBytes();
        }
    }

    /** Every level of the servers' own log (DEBUG is FINE), kept here rather than printed. */
    @BeforeEach
    void captureLogs() {
        for (Logger l : LOGGERS) {
            levels.add(l.getLevel());
            l.setLevel(Level.ALL);
            l.addHandler(capture);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = 0; i < LOGGERS.size(); i++) {
            LOGGERS.get(i).removeHandler(capture);
            LOGGERS.get(i).setLevel(levels.get(i));
        }
        pacer.shutdownNow();
        pacer.awaitTermination(5, TimeUnit.SECONDS);
        for (Socket s : sockets) {
            s.close();
        }
        fixture.close();
    }

    private void start(HttpLimits limits) {
        fixture.start(b -> b.limits(limits).sendBufferSize(SEND_BUFFER)
                .get("/big", (req, res) -> stream(res, PAYLOAD.length))
                .get("/quarter", (req, res) -> stream(res, PAYLOAD.length / 4))
                .get("/events", (req, res) -> {
                    // Server-sent events: 100 bytes every 100 ms, 1 KB/s, far under the minimum.
                    res.header("Content-Type", "text/event-stream");
                    OutputStream out = res.stream();
                    for (int i = 0; i < EVENTS; i++) {
                        out.write(EVENT.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        Thread.sleep(100); // the handler's own pace, not a wait for state
                    }
                }));
    }

    /** The first {@code length} bytes of the payload with their Content-Length, in 8 KiB writes. */
    private void stream(Response res, int length) throws IOException {
        res.header("Content-Length", Integer.toString(length));
        OutputStream body = res.stream();
        try {
            for (int off = 0; off < length; off += WRITE) {
                body.write(PAYLOAD, off, Math.min(WRITE, length - off));
            }
        } catch (IOException e) {
            handlerFailures.add(e);
            throw e;
        }
    }

    /** A client with a small receive buffer that has sent {@code GET path}. */
    private Socket request(String path) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.setReceiveBufferSize(CLIENT_BUFFER);
        s.setSoTimeout(10_000);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fixture.port()), 10_000);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /** Reads {@code chunk} bytes every {@code gap}, on the pacer, until the stream ends or fails. */
    private ByteArrayOutputStream readPaced(Socket s, int chunk, long gapMillis) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[chunk];
        pacer.scheduleWithFixedDelay(() -> {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                throw new IllegalStateException(e); // ends the schedule
            }
            if (n < 0) {
                try {
                    s.close(); // so the server need not linger for our FIN
                } catch (IOException ignored) {
                    // closed anyway
                }
                throw new IllegalStateException("end of stream"); // ends the schedule
            }
            received.write(buffer, 0, n);
        }, 0, gapMillis, TimeUnit.MILLISECONDS);
        return received;
    }

    @Test
    void clientReadingAFewBytesAtATimeIsCutWithinTheGracePlusOnePieceAndCounted() throws Exception {
        start(LIMITS);
        Socket s = request("/big");
        long start = System.nanoTime();
        ByteArrayOutputStream received = readPaced(s, 32, 100); // 320 bytes/s, a 25th of the minimum

        await("cut as a slow reader").atMost(Duration.ofSeconds(15)).until(() -> fixture.closed("slow_reader") == 1);
        long elapsed = millisSince(start);

        assertTrue(elapsed >= BOUND_MILLIS, "cut after " + elapsed + " ms, before the grace and one piece");
        assertTrue(elapsed < BOUND_MILLIS + 3000, "cut only after " + elapsed + " ms");
        assertTrue(received.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200 "),
                "the client was reading the response all along");
        await().atMost(Duration.ofSeconds(5)).until(() -> handlerFailures.size() == 1);
        IOException failure = assertInstanceOf(SocketTimeoutException.class, handlerFailures.get(0));
        assertTrue(failure.getMessage().contains("minimum send rate of 8192 bytes/s"), failure.getMessage());
        assertEquals(1, fixture.closedTotal(), "one connection, closed once");
        assertEquals(0, finWait1(fixture.port()), "closed with a reset, not left trickling its unsent bytes");
        // A network event: one DEBUG line naming the cause, nothing at WARNING, no stack trace.
        await().atMost(Duration.ofSeconds(5)).until(() -> logged(Level.FINE, "closed (slow_reader)"));
        assertEquals(List.of(), logged.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()
                || r.getThrown() != null).map(SlowReaderTest::text).toList());
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.server().activeConnections() == 0);
    }

    @Test
    void fastClientOfTheSameResponseThroughTheSameSmallBuffersGetsAllOfIt() throws Exception {
        start(LIMITS);
        Socket s = request("/big");

        byte[] raw = s.getInputStream().readNBytes(PAYLOAD.length + 4096); // ends at the server's close
        s.close();

        assertArrayEquals(PAYLOAD, body(raw, PAYLOAD.length));
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.closedTotal() == 1);
        assertEquals(0, fixture.closed("slow_reader"));
        assertEquals(List.of(), handlerFailures);
    }

    @Test
    void clientReadingAtTenTimesTheMinimumIsNeverCutThoughTheServerWaitsOnItThroughout() throws Exception {
        start(LIMITS);
        Socket s = request("/quarter");
        long start = System.nanoTime();
        int length = PAYLOAD.length / 4;
        ByteArrayOutputStream received = readPaced(s, 4096, 50); // about 80 KB/s

        await("the whole response").atMost(Duration.ofSeconds(15)).until(() -> fixture.closedTotal() == 1);
        long elapsed = millisSince(start);

        assertEquals(0, fixture.closed("slow_reader"));
        assertEquals(List.of(), handlerFailures);
        assertTrue(elapsed > 2 * BOUND_MILLIS, "took only " + elapsed + " ms: the minimum was never at stake");
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() >= length);
        assertArrayEquals(Arrays.copyOf(PAYLOAD, length), body(received.toByteArray(), length));
    }

    @Test
    void handlerThatWritesSlowlyOnPurposeIsNotCutWhenItsClientKeepsUp() throws Exception {
        start(LIMITS);
        Socket s = request("/events");
        long start = System.nanoTime();

        String answer = new String(s.getInputStream().readNBytes(64 * 1024), StandardCharsets.ISO_8859_1);
        long elapsed = millisSince(start);
        s.close();

        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertEquals(EVENTS, answer.split("data: ", -1).length - 1, answer);
        assertTrue(answer.endsWith("0\r\n\r\n"), "the stream ended normally: " + answer);
        // Measured on the wall clock, 3,000 bytes in 3 s would have been cut once the grace and
        // the bytes' own time at the minimum (1 s + 0.37 s) were over.
        long wallClockCut = GRACE.toMillis() + EVENTS * EVENT.length() * 1000L / MIN_RATE;
        assertTrue(elapsed > wallClockCut + 1000, "took only " + elapsed + " ms: a wall-clock rate was never at stake");
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.closedTotal() == 1);
        assertEquals(0, fixture.closed("slow_reader"));
    }

    @Test
    void withTheMinimumOffTheSlowReaderStays() throws Exception {
        start(LIMITS.withMinSendRate(0, GRACE));
        Socket s = request("/big");
        ByteArrayOutputStream received = readPaced(s, 32, 100);

        await().during(Duration.ofMillis(BOUND_MILLIS + 2000)).atMost(Duration.ofMillis(BOUND_MILLIS + 4000))
                .until(() -> fixture.closedTotal() == 0 && fixture.server().activeConnections() == 1);
        assertTrue(received.size() > 0, "the client was reading");
        assertEquals(List.of(), handlerFailures);

        s.close(); // with bytes unread: a reset, and the handler's write fails
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.closedTotal() == 1);
        assertEquals(0, fixture.closed("slow_reader"));
    }

    /** The last {@code length} bytes of {@code raw}, after checking it is a 200 with that Content-Length. */
    private static byte[] body(byte[] raw, int length) {
        String head = new String(raw, 0, Math.min(raw.length, 512), StandardCharsets.ISO_8859_1);
        assertTrue(head.startsWith("HTTP/1.1 200 "), head);
        assertTrue(head.contains("Content-Length: " + length + "\r\n"), head);
        int bodyStart = head.indexOf("\r\n\r\n") + 4;
        assertEquals(bodyStart + length, raw.length, "head and body, nothing else");
        return Arrays.copyOfRange(raw, bodyStart, raw.length);
    }

    private boolean logged(Level level, String text) {
        return logged.stream().anyMatch(r -> r.getLevel().equals(level) && text(r).contains(text));
    }

    private static String text(LogRecord r) {
        return r.getLevel() + " " + new SimpleFormatter().formatMessage(r);
    }

    /** Sockets of {@code port} in FIN_WAIT1: closed by the server, unsent bytes still queued in the kernel. */
    private static long finWait1(int port) throws IOException {
        return SocketTable.read().stream()
                .filter(e -> e.local().getPort() == port && e.state() == TcpState.FIN_WAIT1).count();
    }

    private static long millisSince(long nanoStart) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoStart);
    }
}
