package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accept loop survives running out of file descriptors: the server runs in a child JVM with
 * {@code ulimit -n 128} ({@link FdLimitedServer}), and more clients connect than it can hold.
 */
class AcceptErrorTest {

    private static final int CLIENTS = 200;

    @TempDir
    Path dir;
    private Process server;
    private final List<TestClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() {
        clients.forEach(TestClient::close);
        if (server != null) {
            server.destroyForcibly();
        }
    }

    @Test
    void emfileIsCountedLoggedOncePerBurstAndTheServerRecovers() throws Exception {
        Path log = dir.resolve("server.log");
        server = new ProcessBuilder("bash", "-c", "ulimit -n 128 && exec \"$@\"", "bash",
                ProcessHandle.current().info().command().orElseThrow(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), FdLimitedServer.class.getName())
                .redirectError(log.toFile())
                .start();
        BufferedReader replies = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII));
        PrintStream commands = new PrintStream(server.getOutputStream(), true, StandardCharsets.US_ASCII);
        String portLine = replies.readLine();
        assertTrue(portLine != null && portLine.startsWith("PORT "), "server said " + portLine + "; log: " + read(log));
        int port = Integer.parseInt(portLine.substring(5));

        for (int i = 0; i < CLIENTS; i++) {
            // The kernel completes the handshake from the listen backlog, accepted or not.
            clients.add(TestClient.connect(port, s -> { }));
        }
        await("accept() failing with EMFILE, several times").atMost(Duration.ofSeconds(20))
                .until(() -> stats(commands, replies)[0] >= 3);
        long[] stuck = stats(commands, replies);
        assertTrue(stuck[1] < CLIENTS, "a process limited to 128 files cannot accept all " + CLIENTS);
        assertTrue(server.isAlive());

        clients.forEach(TestClient::close);
        long[] last = new long[3];
        try {
            await("every queued connection accepted and ended").atMost(Duration.ofSeconds(30))
                    .until(() -> {
                        long[] s = stats(commands, replies);
                        System.arraycopy(s, 0, last, 0, 3);
                        return s[1] == CLIENTS && s[2] == 0;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("after 30 s: " + last[0] + " accept errors, " + last[1] + " opened, " + last[2]
                    + " active; the server's log:\n" + read(log), e);
        }
        try (TestClient after = TestClient.connect(port, s -> { })) {
            after.assertEchoes("still serving");
        }

        long errors = stats(commands, replies)[0];
        long warnings = read(log).lines().filter(l -> l.contains("accept failed, backing off")).count();
        assertTrue(warnings >= 1 && warnings < errors, warnings + " warnings logged for " + errors + " errors");
        commands.close();
        assertTrue(server.waitFor(20, TimeUnit.SECONDS), "server exits when its input ends");
        assertEquals(0, server.exitValue(), read(log));
    }

    /** Accept errors, connections opened, connections active. */
    private static long[] stats(PrintStream commands, BufferedReader replies) throws IOException {
        commands.println("STATS");
        String[] parts = replies.readLine().split(" ");
        return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3])};
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
