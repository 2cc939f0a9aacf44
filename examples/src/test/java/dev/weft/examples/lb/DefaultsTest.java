package dev.weft.examples.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The defaults, pinned to nginx's and the check module's documented ones. */
class DefaultsTest {

    @Test
    void proxyDefaultsAreNginxs() {
        ProxySettings d = ProxySettings.DEFAULTS;
        assertEquals(List.of(), d.headers());
        assertEquals(Duration.ofSeconds(60), d.connectTimeout());
        assertEquals(Duration.ofSeconds(60), d.sendTimeout());
        assertEquals(Duration.ofSeconds(60), d.readTimeout());
        assertEquals(EnumSet.of(NextUpstream.ERROR, NextUpstream.TIMEOUT), d.nextUpstream());
        assertEquals(0, d.nextUpstreamTries());
        assertEquals(Duration.ZERO, d.nextUpstreamTimeout());
        assertEquals("1.1", d.httpVersion());
        assertFalse(d.sslVerify());
        assertNull(d.sslTrustedCertificate());
        assertFalse(d.sslServerName());
        assertEquals("${proxy_host}", d.sslName().toString());
        assertEquals(1024 * 1024, Location.DEFAULT_CLIENT_MAX_BODY_SIZE);
    }

    @Test
    void upstreamDefaultsAreNginxs() {
        assertEquals(80, UpstreamServer.DEFAULT_PORT);
        assertEquals(1, UpstreamServer.DEFAULT_WEIGHT);
        assertEquals(1, UpstreamServer.DEFAULT_MAX_FAILS);
        assertEquals(Duration.ofSeconds(10), UpstreamServer.DEFAULT_FAIL_TIMEOUT);
        assertEquals(32, UpstreamBlock.DEFAULT_KEEPALIVE);
        assertEquals(511, Listen.DEFAULT_BACKLOG);
    }

    @Test
    void checkDefaultsAreTheModules() {
        Check c = Check.defaults();
        assertEquals(Duration.ofMillis(30_000), c.interval());
        assertEquals(2, c.rise());
        assertEquals(5, c.fall());
        assertEquals(Duration.ofMillis(1_000), c.timeout());
        assertEquals("tcp", c.type());
        assertTrue(c.defaultDown());
        assertEquals("GET / HTTP/1.0\r\n\r\n", Check.DEFAULT_HTTP_SEND);
        assertEquals(List.of("http_2xx", "http_3xx"), Check.DEFAULT_EXPECT_ALIVE);
    }

    @Test
    void backupGoesOnlyWithRoundRobinAndLeastConn() {
        assertEquals(List.of(Balance.ROUND_ROBIN, Balance.LEAST_CONN),
                EnumSet.allOf(Balance.class).stream().filter(Balance::allowsBackup).toList());
        assertEquals("invalid_header", NextUpstream.INVALID_HEADER.nginxName());
    }

    @Test
    void recordsRefuseWhatTheReaderWouldNeverProduce() {
        assertThrows(IllegalArgumentException.class,
                () -> new UpstreamServer("h", 0, 1, 1, Duration.ZERO, false, false, 0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new UpstreamServer("h", 80, 0, 1, Duration.ZERO, false, false, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Listen(null, 70000, false, false, false, 511, 1));
        assertThrows(IllegalArgumentException.class, () -> new Return(1000, null, 1));
        assertThrows(IllegalArgumentException.class, () -> new ProxyPass("ftp", null, "h", 21, null));
        assertThrows(IllegalArgumentException.class, () -> new ProxyPass("http", null, "h", 80, "x"));
        assertThrows(IllegalArgumentException.class,
                () -> new Location(false, "/", null, null, ProxySettings.DEFAULTS, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Check(Duration.ZERO, 1, 1, Duration.ofSeconds(1),
                "tcp", null, List.of(), true));
        assertThrows(IllegalArgumentException.class, () -> new UpstreamBlock("b", Balance.HASH, null, false, false,
                List.of(new UpstreamServer("h", 80, 1, 1, Duration.ZERO, false, false, 0, 1)), null, null, 1));
    }
}
