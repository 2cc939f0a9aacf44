package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The C10K case: one server holds 10,000 concurrent connections, each echoing correctly, with the
 * client in a child JVM ({@link C10kClient}).
 */
class TenThousandConnectionsTest {

    private static final int CONNECTIONS = 10_000;

    private final ServerFixture fixture = new ServerFixture();
    private Process client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.destroyForcibly();
        }
        fixture.close();
    }

    @Test
    void holdsTenThousandConnectionsAndEveryOneEchoes() throws Exception {
        TcpServer server = fixture.start(Handlers.bufferedEcho(128), b -> b.maxConnections(CONNECTIONS));
        long descriptorsBefore = OpenFiles.count();

        client = startClient(server.port());
        BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));

        assertEquals("HELD " + CONNECTIONS + " 0", out.readLine(), "every connection open and echoed once");
        assertEquals(CONNECTIONS, server.activeConnections());
        assertEquals(CONNECTIONS, fixture.activeGauge());
        assertTrue(OpenFiles.count() - descriptorsBefore >= CONNECTIONS, "the server holds a socket per connection");
        assertEquals(0, fixture.closedTotal());

        OutputStream commands = client.getOutputStream();
        commands.write("ROUND\n".getBytes(StandardCharsets.US_ASCII));
        commands.flush();
        assertEquals("ECHOED " + CONNECTIONS + " 0", out.readLine(), "every connection echoed again, all still open");
        assertTrue(client.waitFor(60, TimeUnit.SECONDS), "client exits");
        assertEquals(0, client.exitValue());

        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, CONNECTIONS);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.activeConnections() == 0);
        assertEquals(CONNECTIONS, fixture.opened());
        assertEquals(0, fixture.rejected());
    }

    private static Process startClient(int port) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = Path.of(C10kClient.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        return new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", classes, C10kClient.class.getName(),
                Integer.toString(port), Integer.toString(CONNECTIONS)))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }
}
