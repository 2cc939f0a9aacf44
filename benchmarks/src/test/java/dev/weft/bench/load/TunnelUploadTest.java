package dev.weft.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.Loopback;
import dev.weft.bench.servers.BenchServer;
import dev.weft.bench.servers.ServerKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tunnel uploads over real sockets: straight to the sink, through Weft's forward proxy, and
 * the ways one fails (a refused CONNECT, a sink that counts short, a far end that stops reading),
 * each bounded and saying why.
 */
@Timeout(60)
class TunnelUploadTest {

    private static final long MIB = 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
    private final ByteBuffer data = ByteBuffer.allocateDirect(TunnelUpload.BUFFER);

    @AfterEach
    void stopWatchdog() {
        watchdog.shutdownNow();
    }

    @Test
    void anUploadStraightToTheSinkIsCountedAndAnswered() throws Exception {
        try (TunnelSink sink = new TunnelSink(8 * MIB + 5)) { // not a multiple of the buffer
            TunnelUpload upload = new TunnelUpload(sink.port(), 0, 8 * MIB + 5, TIMEOUT);
            for (int i = 0; i < 3; i++) {
                assertTrue(upload.run(data, watchdog) > 0);
            }
        }
    }

    @Test
    void anUploadThroughWeftsForwardProxyGoesThroughItsConnectTunnel() throws Exception {
        try (TunnelSink sink = new TunnelSink(16 * MIB);
                BenchServer proxy = ServerKind.WEFT_FWD.start(10, 0, sink.port())) {
            TunnelUpload upload = new TunnelUpload(proxy.port(), sink.port(), 16 * MIB, TIMEOUT);
            assertTrue(upload.tunnelled());
            for (int i = 0; i < 2; i++) {
                assertTrue(upload.run(data, watchdog) > 0);
            }
            // A proxy that refuses the port: the upload fails with the proxy's status line.
            try (TunnelSink other = new TunnelSink(MIB)) {
                TunnelUpload refused = new TunnelUpload(proxy.port(), other.port(), MIB, TIMEOUT);
                TunnelUpload.Failed e = assertThrows(TunnelUpload.Failed.class, () -> refused.run(data, watchdog));
                assertTrue(e.getMessage().contains("'HTTP/1.1 403 "), e.getMessage());
            }
        }
    }

    @Test
    void aSinkThatExpectsMoreNeverAnswersAndTheWatchdogEndsTheUpload() throws Exception {
        try (TunnelSink sink = new TunnelSink(4 * MIB)) {
            TunnelUpload shorter = new TunnelUpload(sink.port(), 0, 2 * MIB, Duration.ofSeconds(1));
            TunnelUpload.Failed e = assertThrows(TunnelUpload.Failed.class, () -> shorter.run(data, watchdog));
            assertTrue(e.getMessage().contains("longer than 1 s"), e.getMessage());
        }
    }

    @Test
    void aFarEndThatStopsReadingIsATimeoutNotAHang() throws Exception {
        try (ServerSocket stuck = new ServerSocket(0, 10, Loopback.address())) {
            long start = System.nanoTime();
            TunnelUpload upload = new TunnelUpload(stuck.getLocalPort(), 0, 512 * MIB, Duration.ofSeconds(1));
            TunnelUpload.Failed e = assertThrows(TunnelUpload.Failed.class, () -> upload.run(data, watchdog));
            assertTrue(e.getMessage().contains("longer than 1 s"), e.getMessage());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "bounded by the timeout");
        }
    }

    @Test
    void aProxyThatAnswersConnectWithMoreThanItsHeadIsRefused() throws Exception {
        try (ServerSocket proxy = new ServerSocket(0, 10, Loopback.address())) {
            Thread fake = Thread.ofVirtual().start(() -> {
                try (Socket s = proxy.accept()) {
                    readHead(s.getInputStream());
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\n\r\nsurprise".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read(); // until the client gives up
                } catch (IOException ignored) {
                    // The client closed first.
                }
            });
            TunnelUpload upload = new TunnelUpload(proxy.getLocalPort(), 9, MIB, TIMEOUT);
            TunnelUpload.Failed e = assertThrows(TunnelUpload.Failed.class, () -> upload.run(data, watchdog));
            assertTrue(e.getMessage().contains("bytes after the proxy's CONNECT answer"), e.getMessage());
            fake.join(10_000);
        }
    }

    @Test
    void theClientsResultIsMibPerSecondOverTheUploadsWithTheMedianAndTheLongest() {
        LoadResult r = TunnelClient.result(List.of(200_000_000L, 100_000_000L, 300_000_000L), 100, "");
        assertEquals(300, r.messages()); // a message is a MiB
        assertEquals(0.6, r.seconds(), 1e-9);
        assertEquals(500, r.msgsPerSec(), 1e-9);
        assertEquals(200_000, r.p50Us(), 1e-9);
        assertEquals(300_000, r.maxUs(), 1e-9);
        assertEquals(0, r.errors());
        LoadResult failed = TunnelClient.result(List.of(), 100, "the proxy closed the connection");
        assertEquals(1, failed.errors());
        assertEquals(0, failed.messages());
        assertTrue(Double.isNaN(failed.p50Us()));
    }

    @Test
    void theUploadLineSaysWhereToGo() {
        assertEquals(Map.of("port", "3128", "sink", "40000"),
                TunnelClient.uploadFields(TunnelClient.upload(3128, 40_000)));
        assertEquals(Map.of("port", "40000", "sink", "0"), TunnelClient.uploadFields("UPLOAD port=40000 sink=0"));
        assertNull(TunnelClient.uploadFields("UPLOAD port=x sink=1"));
        assertNull(TunnelClient.uploadFields("GO"));
    }

    private static void readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside the head");
            }
            head.write(b);
        }
    }
}
