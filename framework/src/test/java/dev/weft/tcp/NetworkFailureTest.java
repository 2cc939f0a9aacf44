package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.http.TransportPollers;
import dev.weft.testing.LeakCheck;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A peer's reset reaches the handler as a {@link NetworkException} of kind RESET on both
 * transports, and the server counts it and logs it at DEBUG only; a handler's own failure is still
 * a WARNING with its stack trace. (The failures a peer cannot cause on loopback, a timed-out or
 * unreachable peer, are made in a network namespace by {@link NetworkNamespaceTest}.)
 */
@ExtendWith(LeakCheck.class)
class NetworkFailureTest {

    private final ServerFixture fixture = new ServerFixture();
    private final LogCapture log = LogCapture.of(TcpServer.class);

    /** Made before the leak check's first look: the transport's pollers live as long as the JVM. */
    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    @AfterEach
    void tearDown() {
        fixture.close();
        log.close();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aResetReachesTheHandlerTypedAndIsCountedWithoutAWarning(Transport transport) {
        assumeTrue(transport.isAvailable(), transport + " does not run in this JVM");
        AtomicReference<IOException> seen = new AtomicReference<>();
        fixture.start(conn -> {
            try {
                conn.in().transferTo(conn.out());
            } catch (IOException e) {
                seen.set(e);
                throw e;
            }
        }, b -> b.transport(transport));
        TestClient client = fixture.connect();
        client.assertEchoes("the handler is reading now");

        client.abort(); // SO_LINGER 0: the close sends RST

        fixture.awaitOnlyClosed(CloseCause.RESET, 1);
        NetworkException failure = assertInstanceOf(NetworkException.class, seen.get());
        assertEquals(NetworkException.Kind.RESET, failure.kind());
        assertEquals("Connection reset", failure.getMessage());
        assertEquals(List.of(), log.warnings());
        assertTrue(log.lines().stream().anyMatch(l -> l.message().endsWith("closed (reset): " + failure)),
                log.lines().toString());
    }

    @Test
    void aHandlersOwnFailureIsStillAWarningWithItsStackTrace() {
        IllegalStateException bug = new IllegalStateException("a bug in the handler");
        fixture.start(conn -> {
            throw bug;
        });

        fixture.connect().assertEnded();

        fixture.awaitOnlyClosed(CloseCause.HANDLER_ERROR, 1);
        List<LogCapture.Line> warnings = log.warnings();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).message().endsWith(": handler failed"), warnings.toString());
        assertEquals(bug, warnings.get(0).thrown());
    }
}
