package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server's meters count what happened on the wire, and leave the registry with the server. */
class TcpMetricsTest {

    private final ServerFixture fixture = new ServerFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void countsConnectionsAndBytesExactly() {
        fixture.start(Handlers.echo());
        TestClient first = fixture.connect();
        TestClient second = fixture.connect();
        first.assertEchoes("x".repeat(1000));
        second.assertEchoes("y".repeat(234));

        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.activeGauge() == 2);
        assertEquals(2, fixture.opened());
        assertEquals(1234, fixture.bytesRead());
        assertEquals(1234, fixture.bytesWritten());

        first.close();
        second.close();
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 2);
        assertEquals(0, fixture.activeGauge());
        assertEquals(0, fixture.rejected());
        assertEquals(0, fixture.limitWaits());
    }

    @Test
    void metersAreRemovedFromTheRegistryOnClose() {
        TcpServer server = fixture.start(Handlers.echo());
        assertTrue(weftMeters(fixture).size() >= 8, "meters registered: " + weftMeters(fixture));

        server.close();

        assertEquals(List.of(), weftMeters(fixture));
    }

    @Test
    void theGlobalRegistryIsTheDefaultAndServersAreToldApartByName() {
        try (TcpServer a = TcpServer.builder().name("metrics-a").port(0).handler(Handlers.echo()).start();
                TcpServer b = TcpServer.builder().name("metrics-b").port(0).handler(Handlers.echo()).start()) {
            assertNotNull(Metrics.globalRegistry.find("weft.tcp.connections.opened").tag("server", a.name()).counter());
            assertNotNull(Metrics.globalRegistry.find("weft.tcp.connections.opened").tag("server", b.name()).counter());
        }
        assertEquals(null, Metrics.globalRegistry.find("weft.tcp.connections.opened").tag("server", "metrics-a")
                .counter());
    }

    private static List<Meter> weftMeters(ServerFixture fixture) {
        return fixture.registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("weft.tcp."))
                .toList();
    }
}
