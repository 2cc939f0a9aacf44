package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.diag.SocketTable;
import dev.weft.diag.TcpState;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real slow attacks by {@code slowhttptest} (Debian package slowhttptest) in its own process, while
 * a normal client, probing on new connections, must be answered throughout.
 *
 * <ul>
 * <li>Slowloris ({@code -H}): a thousand connections (200 a second), each head kept unfinished by a
 *     header line every 2 s, for at most 15 s. The server's header timeout (5 s) cuts every one with
 *     a 408.</li>
 * <li>Slow read ({@code -X}): a hundred connections (50 a second) each ask for a streamed megabyte
 *     with a receive window of 512 to 1024 bytes and read 32 bytes a second. The minimum send rate
 *     (4 KiB/s after 1 s) cuts every one as {@code slow_reader} within seconds, with a reset, so
 *     that no closed socket keeps trickling its unsent bytes to the tool; the send timeout (60 s)
 *     alone would let them stay for the whole run.</li>
 * </ul>
 *
 * <p>The Slowloris run then stops early (no open connections left); the slow-read one runs its
 * 10 s, as the tool notices a reset only once it has read what it had buffered. The tool's report
 * format varies between versions, so it is only checked loosely; the assertions are on the normal
 * client and on the server's meters. Without the tool the tests are skipped, visibly.
 */
class SlowHttpTestToolTest {

    private static final Duration HEADER = Duration.ofSeconds(5);
    private static final int TOOL_SECONDS = 15;
    /** Long enough for a hundred connections to open (2 s), fill their buffers and be cut (3 s). */
    private static final int SLOW_READ_SECONDS = 10;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final long MIN_SEND_RATE = 4 * 1024;
    private static final Duration SEND_RATE_GRACE = Duration.ofSeconds(1);
    private static final int MEGABYTE = 1024 * 1024;

    @TempDir
    Path dir;
    private final ClientFixture fixture = new ClientFixture();
    private final AtomicInteger served = new AtomicInteger();
    private final List<Long> latencies = new ArrayList<>();
    private Process tool;
    /** The most sockets of the server's port seen in FIN_WAIT1 while the tool ran. */
    private int peakOrphans;

    @BeforeEach
    void needsTheTool() {
        assumeTrue(onPath("slowhttptest"), "slowhttptest is not installed (Debian package slowhttptest)");
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (tool != null) {
            tool.destroy();
            if (!tool.waitFor(5, TimeUnit.SECONDS)) {
                tool.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        fixture.close();
    }

    @Test
    void normalClientIsServedWhileSlowlorisHoldsAThousandConnections() throws Exception {
        // The read timeout (4 s) is longer than the tool's interval (2 s): only the header deadline stops it.
        fixture.start(b -> b
                .limits(ClientFixture.limits(HEADER, Duration.ofSeconds(4), 256, Duration.ofSeconds(5),
                        Duration.ofSeconds(5)))
                .get("/probe", this::probe));
        Path report = startTool(List.of("slowhttptest", "-H", "-c", "1000", "-i", "2", "-r", "200",
                "-l", Integer.toString(TOOL_SECONDS), "-x", "16", "-p", "3", "-u", fixture.url("/")));
        await("the attack holds connections").atMost(Duration.ofSeconds(10))
                .until(() -> fixture.server().activeConnections() >= 200 || !tool.isAlive());
        assertTrue(tool.isAlive(), () -> "slowhttptest ended early: " + read(report));

        int peak = probeWhileTheToolRuns(TOOL_SECONDS);

        String output = read(report);
        assertProbesAnswered(output, 20);
        assertTrue(peak >= 200, "the tool held connections open (peak " + peak + ")");
        // The slow heads were cut at the header deadline: 408s counted as timeouts, at least half the peak.
        assertTrue(fixture.rejected("timeout") >= peak / 2, "rejected for timeout: " + fixture.rejected("timeout")
                + ", peak connections " + peak + "\n" + output);
        assertTrue(fixture.closed("read_timeout") >= peak / 2, "closed by a read timeout: "
                + fixture.closed("read_timeout"));
        assertTrue(output.contains("SLOW HEADERS") || output.toLowerCase().contains("slow"), output);
        await("the tool's connections are gone").atMost(Duration.ofSeconds(10))
                .until(() -> fixture.server().activeConnections() == 0);
    }

    @Test
    void normalClientIsServedWhileSlowReadersOfAStreamedMegabyteAreCut() throws Exception {
        // A 16 KiB send buffer: Linux would give a loopback socket about 2 MB, and the megabyte
        // would sit in the kernel instead of making the server wait.
        fixture.start(b -> b
                .limits(HttpLimits.DEFAULTS.withMinSendRate(MIN_SEND_RATE, SEND_RATE_GRACE))
                .sendBufferSize(16 * 1024)
                .get("/probe", this::probe)
                .get("/big", (req, res) -> {
                    byte[] block = new byte[8 * 1024];
                    OutputStream out = res.stream();
                    for (int i = 0; i < MEGABYTE / block.length; i++) {
                        out.write(block);
                    }
                }));
        // 100 connections, 50 a second; windows of 512..1024 bytes; 32 bytes read from each every second.
        Path report = startTool(List.of("slowhttptest", "-X", "-c", "100", "-r", "50", "-w", "512", "-y", "1024",
                "-n", "1", "-z", "32", "-k", "1", "-l", Integer.toString(SLOW_READ_SECONDS), "-p", "3",
                "-u", fixture.url("/big")));
        await("the attack holds connections").atMost(Duration.ofSeconds(10))
                .until(() -> fixture.server().activeConnections() >= 20 || !tool.isAlive());
        assertTrue(tool.isAlive(), () -> "slowhttptest ended early: " + read(report));

        int peak = probeWhileTheToolRuns(SLOW_READ_SECONDS);

        String output = read(report);
        assertProbesAnswered(output, 5); // a 10 s run on a busy 2-core machine
        assertTrue(peak >= 20, "the tool held connections open (peak " + peak + ")\n" + output);
        // Each reader is cut once it is the grace and one 8 KiB piece behind (about 3 s after its
        // buffers filled): long before the 60 s send timeout, and before the tool's own end.
        assertTrue(fixture.closed("slow_reader") >= 90, "cut as slow readers: " + fixture.closed("slow_reader")
                + " of 100, peak connections " + peak + "\n" + output);
        assertEquals(0, fixture.closed("write_timeout"));
        // Cut with a reset: no closed socket of the server's sat in FIN_WAIT1 with its unsent
        // bytes, trickling them on to the tool (a plain close leaves all 100 there).
        assertTrue(peakOrphans <= 5, "server sockets in FIN_WAIT1 at most: " + peakOrphans);
        assertTrue(output.toLowerCase().contains("slow read"), output);
        await("the tool's connections are gone").atMost(Duration.ofSeconds(10))
                .until(() -> fixture.server().activeConnections() == 0);
    }

    private void probe(Request req, Response res) throws IOException {
        served.incrementAndGet();
        res.send("alive\n");
    }

    private Path startTool(List<String> command) throws IOException {
        Path report = dir.resolve("slowhttptest.txt");
        tool = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(report.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        return report;
    }

    /**
     * One probe on a new connection every 200 ms (the pause is a wait for the tool to end) for as
     * long as the tool runs, at most {@code toolSeconds} + 15 s; returns the most connections seen open.
     */
    private int probeWhileTheToolRuns(int toolSeconds) throws Exception {
        long toolStarted = System.nanoTime();
        int peak = 0;
        while (tool.isAlive() && latencies.size() < 150 && elapsedSeconds(toolStarted) < toolSeconds + 15) {
            peak = Math.max(peak, fixture.server().activeConnections());
            peakOrphans = Math.max(peakOrphans, orphans());
            long t = System.nanoTime();
            try (SlowSocket probe = SlowSocket.connect(fixture.port())) {
                probe.send("GET /probe HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                SlowSocket.Answer answer = probe.readAnswer(PROBE_TIMEOUT);
                assertEquals(200, answer.status(), "probe " + latencies.size());
                assertEquals("alive\n", answer.bodyText());
            }
            latencies.add((System.nanoTime() - t) / 1_000_000);
            tool.waitFor(200, TimeUnit.MILLISECONDS);
        }
        assertTrue(tool.waitFor(20, TimeUnit.SECONDS), "slowhttptest stops after its -l " + toolSeconds + " s");
        return peak;
    }

    private void assertProbesAnswered(String output, int atLeast) {
        assertTrue(latencies.size() >= atLeast, "probes while the tool ran: " + latencies + " ms\n" + output);
        long worst = latencies.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(worst < PROBE_TIMEOUT.toMillis(), "slowest probe " + worst + " ms of " + latencies);
        assertEquals(latencies.size(), served.get(), "every probe reached its handler");
    }

    /** Sockets of the server's port in FIN_WAIT1: closed by the server, unsent bytes still queued. */
    private int orphans() throws IOException {
        int port = fixture.port();
        return (int) SocketTable.read().stream()
                .filter(e -> e.local().getPort() == port && e.state() == TcpState.FIN_WAIT1).count();
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }

    private static long elapsedSeconds(long nanoStart) {
        return (System.nanoTime() - nanoStart) / 1_000_000_000L;
    }

    private static String read(Path file) {
        try {
            return ClientFixture.read(file);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
