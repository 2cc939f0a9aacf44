package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.http.TransportPollers;
import dev.weft.testing.LeakCheck;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SO_LINGER with a positive time does not make the server's close wait for a peer that does not
 * read. Linux's {@code close(2)} would wait in the kernel, even on a non-blocking socket, until the
 * peer acknowledged everything or the time was up: a connection's virtual thread would hold its
 * carrier for that long, and the watchdog would stall. The bytes still arrive: the kernel sends
 * them after the close, as it does on Linux once the linger time has passed.
 */
@ExtendWith(LeakCheck.class)
class LingerCloseTest {

    /** Far longer than any wait below: a close that lingers shows as a test that times out. */
    private static final Duration LINGER = Duration.ofSeconds(20);
    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static final int UNSENT = 256 * 1024;

    private final ServerFixture fixture = new ServerFixture();

    /** Made before the leak check's first look: the transport's pollers live as long as the JVM. */
    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aHandlerThatReturnsWithBytesUnsentIsClosedAtOnceAndTheBytesStillArrive(Transport transport) {
        assumeTrue(transport.isAvailable(), transport + " does not run in this JVM");
        byte[] reply = new byte[UNSENT];
        Arrays.fill(reply, (byte) 'r');
        // A send buffer that takes the whole reply, so the write returns and the close finds it unsent.
        fixture.start(conn -> conn.out().write(reply),
                b -> b.transport(transport).linger(LINGER).sendBufferSize(4 * UNSENT));
        TestClient client = fixture.connect(s -> s.setReceiveBufferSize(4096)); // reads nothing yet

        fixture.awaitOnlyClosed(CloseCause.COMPLETED, 1); // within 10 s, half the linger time
        assertEquals(0, fixture.server().activeConnections());

        assertEquals(UNSENT, client.readToEnd().length);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theWatchdogsCloseOfAStalledWriterDoesNotWait(Transport transport) {
        assumeTrue(transport.isAvailable(), transport + " does not run in this JVM");
        fixture.start(Handlers::flood, b -> b.transport(transport).linger(LINGER)
                .writeTimeout(Duration.ofMillis(300)).sendBufferSize(4096));
        fixture.connect(s -> s.setReceiveBufferSize(4096)); // never reads

        await("the stalled connection counted closed").atMost(PROMPTLY)
                .until(() -> fixture.closed(CloseCause.WRITE_TIMEOUT) == 1);
        fixture.awaitOnlyClosed(CloseCause.WRITE_TIMEOUT, 1);
    }
}
