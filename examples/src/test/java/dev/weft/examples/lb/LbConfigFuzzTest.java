package dev.weft.examples.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Coverage-guided fuzzing of the nginx-config reader: {@link ConfigLexer#decode} on the raw bytes
 * (what {@link LbConfig#read} does with a file), then {@link LbConfig#parse} on their UTF-8 text. A
 * normal {@code mvn test} replays
 * {@code src/test/resources/dev/weft/examples/lb/LbConfigFuzzTestInputs/config/} (the case study's
 * configuration among them); {@code ./weft fuzz} fuzzes (CONTRIBUTING.md, "Fuzzing").
 *
 * <p>The invariant: a configuration or a {@link ConfigException} naming the file and a line of it,
 * nothing else (no exception from a model record's checks, no number that fails to parse); and a
 * configuration that holds what {@link LbConfig} promises: at least one server, each with a listen
 * on a port 1..65535, upstreams with servers on ports 1..65535, locations with exactly one of
 * {@code proxy_pass} and {@code return}, proxy targets on ports 1..65535, positive timeouts and
 * body sizes.
 */
class LbConfigFuzzTest {

    private static final String FILE = "fuzz.conf";

    @FuzzTest(maxDuration = "2m")
    @DictionaryFile(resourcePath = "nginx.dict")
    void config(byte[] raw) {
        try {
            ConfigLexer.decode(raw, Path.of(FILE));
        } catch (ConfigException e) {
            refusal(e, new String(raw, StandardCharsets.UTF_8));
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        LbConfig config;
        try {
            config = LbConfig.parse(text, FILE);
        } catch (ConfigException e) {
            refusal(e, text);
            return;
        }
        check(config);
    }

    /** A refusal names the file and a line of it, in one sentence ending in {@code in FILE:LINE}. */
    private static void refusal(ConfigException e, String text) {
        assertEquals(Path.of(FILE), e.file());
        long lines = text.chars().filter(c -> c == '\n').count() + 1;
        assertTrue(e.line() >= 1 && e.line() <= lines, () -> "line " + e.line() + " of " + lines + ": " + e.getMessage());
        assertFalse(e.reason() == null || e.reason().isBlank(), "a refusal without a reason");
        assertEquals(e.reason() + " in " + FILE + ":" + e.line(), e.getMessage());
    }

    private static void check(LbConfig config) {
        assertFalse(config.servers().isEmpty(), "a configuration without servers");
        for (UpstreamBlock u : config.upstreams()) {
            assertFalse(u.servers().isEmpty(), () -> "upstream " + u.name() + " without servers");
            for (UpstreamServer s : u.servers()) {
                port(s.port(), s.address());
                assertTrue(s.weight() >= 1 && s.maxFails() >= 0 && s.maxConns() >= 0, s::toString);
                assertFalse(s.failTimeout().isNegative(), s::toString);
            }
            if (u.check() != null) {
                positive(u.check().interval(), "check interval");
                positive(u.check().timeout(), "check timeout");
                assertTrue(u.check().rise() >= 1 && u.check().fall() >= 1, () -> u.check().toString());
            }
            assertTrue(u.keepalive() == null || u.keepalive() >= 0, () -> "keepalive " + u.keepalive());
        }
        for (ServerBlock s : config.servers()) {
            assertFalse(s.listens().isEmpty(), "a server without listen");
            for (Listen l : s.listens()) {
                port(l.port(), l.socket());
                assertTrue(l.backlog() >= 1, () -> "backlog " + l.backlog());
            }
            assertTrue(s.ret() != null ^ !s.locations().isEmpty(), "a server needs locations or a return");
            for (Location l : s.locations()) {
                assertTrue(l.prefix().startsWith("/"), l::prefix);
                assertTrue(l.proxyPass() != null ^ l.ret() != null, () -> "location " + l.prefix());
                if (l.proxyPass() != null) {
                    port(l.proxyPass().port(), l.proxyPass().proxyHost());
                    if (l.proxyPass().upstreamName() != null) {
                        assertTrue(config.upstream(l.proxyPass().upstreamName()) != null, l.proxyPass()::toString);
                    }
                }
                if (l.ret() != null) {
                    assertTrue(l.ret().code() >= 0 && l.ret().code() <= 999, () -> "return " + l.ret().code());
                }
                positive(l.proxy().connectTimeout(), "proxy_connect_timeout");
                positive(l.proxy().sendTimeout(), "proxy_send_timeout");
                positive(l.proxy().readTimeout(), "proxy_read_timeout");
                assertTrue(l.clientMaxBodySize() >= 1, () -> "client_max_body_size " + l.clientMaxBodySize());
            }
        }
    }

    private static void port(int port, String where) {
        assertTrue(port >= 1 && port <= 65535, () -> "port " + port + " at " + where);
    }

    private static void positive(Duration d, String what) {
        assertTrue(d.compareTo(Duration.ZERO) > 0, () -> what + " " + d);
    }
}
