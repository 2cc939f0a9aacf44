package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.tcp.TcpServer;
import dev.weft.testing.LeakCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two servers on one meter registry (issue 15, item 6): each keeps meters of its own, or the second is refused. */
@ExtendWith(LeakCheck.class)
class SameNameServersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    private HttpServer server(HttpServer.Builder b) {
        return b.bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(registry)
                .fallback((req, res) -> res.send("ok")).start();
    }

    private static void get(HttpServer s) throws IOException {
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            c.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200 "));
        }
    }

    private long requests(String server) {
        return registry.get("http.server.requests").tag("server", server).timer().count();
    }

    @Test
    void twoServersWithTheDefaultNameGetMetersOfTheirOwn() throws Exception {
        try (HttpServer first = server(HttpServer.builder()); HttpServer second = server(HttpServer.builder())) {
            assertEquals("http", first.name());
            assertEquals("http-2", second.name());
            get(first);
            get(second);
            get(second);
            assertEquals(1, requests("http"));
            assertEquals(2, requests("http-2"));
            assertNotNull(registry.find("weft.tcp.connections.active").tag("server", "http-2").gauge());

            first.close();
            assertNull(registry.find("weft.tcp.connections.active").tag("server", "http").gauge(), "the first one's meters went with it");
            assertNotNull(registry.find("weft.tcp.connections.active").tag("server", "http-2").gauge(), "the second's stayed");
        }
        try (HttpServer again = server(HttpServer.builder())) {
            assertEquals("http", again.name(), "names are given back on close");
        }
    }

    @Test
    void aChosenNameThatIsTakenIsRefusedAndNothingIsLeftOpen() {
        try (HttpServer api = server(HttpServer.builder().name("api"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> server(HttpServer.builder().name("api")));
            assertEquals("a server named api is already metered in this meter registry: close it first, or give this one"
                    + " another name", e.getMessage());
            IllegalStateException tcp = assertThrows(IllegalStateException.class, () -> TcpServer.builder().name("api")
                    .meterRegistry(registry).bindAddress(InetAddress.getLoopbackAddress()).handler(c -> { }).start());
            assertTrue(tcp.getMessage().startsWith("a server named api is already metered"), "a TCP server's meters carry the same tag");
            assertEquals("api", api.name());
        }
    }
}
