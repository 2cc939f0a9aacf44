package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The documented defaults, and settings that make no sense refused with a message naming them. */
class ServerOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServerOptions d = ServerOptions.DEFAULTS;
        assertEquals(10_000, d.maxConnections());
        assertEquals(4096, d.backlog());
        assertEquals(0, d.port());
        assertEquals(LimitMode.BACKPRESSURE, d.limitMode());
        assertEquals(Duration.ofMinutes(5), d.idleTimeout());
        assertEquals(Duration.ofSeconds(60), d.writeTimeout());
        assertEquals(Duration.ofSeconds(30), d.drainTimeout());
        assertEquals(Map.of(StandardSocketOptions.TCP_NODELAY, true), d.socketOptions());
    }

    @Test
    void copiesChangeOneSettingOnly() {
        ServerOptions changed = ServerOptions.DEFAULTS.withMaxConnections(5).withIdleTimeout(Duration.ofSeconds(1));
        assertEquals(5, changed.maxConnections());
        assertEquals(Duration.ofSeconds(1), changed.idleTimeout());
        assertEquals(ServerOptions.DEFAULTS.writeTimeout(), changed.writeTimeout());
        assertEquals(10_000, ServerOptions.DEFAULTS.maxConnections());
    }

    @Test
    void nonsenseIsRefusedWithTheSettingsName() {
        assertRefused("port", () -> ServerOptions.DEFAULTS.withPort(70_000));
        assertRefused("backlog", () -> ServerOptions.DEFAULTS.withBacklog(0));
        assertRefused("maxConnections", () -> ServerOptions.DEFAULTS.withMaxConnections(0));
        assertRefused("idleTimeout", () -> ServerOptions.DEFAULTS.withIdleTimeout(Duration.ZERO));
        assertRefused("writeTimeout", () -> ServerOptions.DEFAULTS.withWriteTimeout(Duration.ofSeconds(-1)));
        assertRefused("drainTimeout", () -> ServerOptions.DEFAULTS.withDrainTimeout(Duration.ofSeconds(-1)));
    }

    @Test
    void startWithoutAHandlerIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TcpServer.builder().start());
        assertTrue(e.getMessage().contains("handler"), e.getMessage());
    }

    private static void assertRefused(String setting, org.junit.jupiter.api.function.Executable change) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, change);
        assertTrue(e.getMessage().contains(setting), e.getMessage());
    }
}
