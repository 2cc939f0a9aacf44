package dev.weft.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Slowloris: {@code slowhttptest -H} (Debian package slowhttptest) in its own process opens
 * a thousand connections (200 a second) and keeps each head unfinished by sending a header line
 * every 2 s, for at most 15 s. The server's header timeout (5 s) cuts every one with a 408 (the tool
 * then stops early: no open connections left), and a normal client, probing on new connections, is
 * answered throughout.
 *
 * <p>The tool's report format varies between versions, so it is only checked loosely; the
 * assertions are on the normal client and on the server's meters.
 */
class SlowHttpTestToolTest {

    private static final Duration HEADER = Duration.ofSeconds(5);
    private static final int TOOL_SECONDS = 15;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    private final ClientFixture fixture = new ClientFixture();
    private final AtomicInteger served = new AtomicInteger();
    private Process tool;

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
                .get("/probe", (req, res) -> {
                    served.incrementAndGet();
                    res.send("alive\n");
                }));
        Path report = dir.resolve("slowhttptest.txt");
        tool = new ProcessBuilder(List.of("slowhttptest", "-H", "-c", "1000", "-i", "2", "-r", "200",
                "-l", Integer.toString(TOOL_SECONDS), "-x", "16", "-p", "3", "-u", fixture.url("/")))
                .redirectErrorStream(true).redirectOutput(report.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        long toolStarted = System.nanoTime();

        await("the attack holds connections").atMost(Duration.ofSeconds(10))
                .until(() -> fixture.server().activeConnections() >= 200 || !tool.isAlive());
        assertTrue(tool.isAlive(), () -> "slowhttptest ended early: " + read(report));

        List<Long> latencies = new ArrayList<>();
        int peak = 0;
        // One probe every 200 ms (the pause is a wait for the tool to end) for as long as the tool runs.
        while (tool.isAlive() && latencies.size() < 150 && elapsedSeconds(toolStarted) < TOOL_SECONDS + 15) {
            peak = Math.max(peak, fixture.server().activeConnections());
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
        assertTrue(tool.waitFor(20, TimeUnit.SECONDS), "slowhttptest stops after its -l " + TOOL_SECONDS + " s");

        String output = read(report);
        assertTrue(latencies.size() >= 20, "probes while the tool ran: " + latencies.size() + "\n" + output);
        long worst = latencies.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(worst < PROBE_TIMEOUT.toMillis(), "slowest probe " + worst + " ms");
        assertEquals(latencies.size(), served.get(), "every probe reached its handler");
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

    private static long elapsedSeconds(long nanoStart) {
        return (System.nanoTime() - nanoStart) / 1_000_000_000L;
    }

    private static String read(Path file) {
        try {
            return ClientFixture.read(file);
        } catch (java.io.IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
