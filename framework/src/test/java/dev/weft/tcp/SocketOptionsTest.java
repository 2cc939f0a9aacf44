package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The options set on the builder are the ones the accepted socket has, as the kernel reports them. */
class SocketOptionsTest {

    private final ServerFixture fixture = new ServerFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    /** Answers one line describing the accepted socket's options, then ends. */
    private static ConnectionHandler reportOptions() {
        return conn -> {
            String line = conn.getOption(StandardSocketOptions.TCP_NODELAY)
                    + " " + conn.getOption(StandardSocketOptions.SO_KEEPALIVE)
                    + " " + conn.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)
                    + " " + conn.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)
                    + " " + conn.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)
                    + " " + conn.getOption(StandardSocketOptions.SO_LINGER)
                    + " " + conn.getOption(StandardSocketOptions.SO_RCVBUF)
                    + " " + conn.getOption(StandardSocketOptions.SO_SNDBUF)
                    + "\n";
            conn.out().write(line.getBytes(StandardCharsets.US_ASCII));
        };
    }

    private String[] acceptedSocketOptions() {
        TestClient client = fixture.connect();
        return new String(client.readToEnd(), StandardCharsets.US_ASCII).trim().split(" ");
    }

    @Test
    void defaultsTurnOnNoDelayAndLeaveKeepAliveAndLingerOff() {
        fixture.start(reportOptions());

        String[] options = acceptedSocketOptions();

        assertEquals("true", options[0], "TCP_NODELAY");
        assertEquals("false", options[1], "SO_KEEPALIVE");
        assertEquals("-1", options[5], "SO_LINGER");
        assertTrue(Integer.parseInt(options[6]) < 512 * 1024, "default SO_RCVBUF " + options[6]);
    }

    @Test
    void builderOptionsReachTheAcceptedSocket() {
        fixture.start(reportOptions(), b -> b
                .tcpNoDelay(false)
                .keepAlive(Duration.ofSeconds(45), Duration.ofSeconds(7), 3)
                .linger(Duration.ofSeconds(2))
                .receiveBufferSize(512 * 1024)
                .sendBufferSize(128 * 1024));

        String[] options = acceptedSocketOptions();

        assertEquals("false", options[0], "TCP_NODELAY");
        assertEquals("true", options[1], "SO_KEEPALIVE");
        assertEquals("45", options[2], "TCP_KEEPIDLE");
        assertEquals("7", options[3], "TCP_KEEPINTERVAL");
        assertEquals("3", options[4], "TCP_KEEPCOUNT");
        assertEquals("2", options[5], "SO_LINGER");
        // What was asked, or up to double (Linux adds room for its bookkeeping). Unset, the receive
        // buffer starts at 128 KiB here and the send buffer auto-tunes to megabytes on loopback.
        assertTrue(Integer.parseInt(options[6]) >= 512 * 1024, "SO_RCVBUF " + options[6]);
        int sendBuffer = Integer.parseInt(options[7]);
        assertTrue(sendBuffer >= 128 * 1024 && sendBuffer <= 256 * 1024, "SO_SNDBUF " + sendBuffer);
    }

    @Test
    void aRestartedServerBindsItsPortWhileTheOldConnectionSitsInTimeWait() {
        // The handler returns first, so the server side closes first and keeps the TIME_WAIT entry.
        fixture.start(conn -> conn.out().write('x'));
        int port = fixture.port();
        TestClient client = fixture.connect();
        assertEquals(1, client.readToEnd().length);
        client.close();
        fixture.awaitOnlyClosed(CloseCause.COMPLETED, 1);
        fixture.server().close();

        try (ServerFixture again = new ServerFixture()) {
            assertDoesNotThrow(() -> again.start(Handlers.echo(), b -> b.port(port)));
            again.connect().assertEchoes("same port");
        }
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedByTheBuilder() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TcpServer.builder()
                .socketOption((java.net.SocketOption) StandardSocketOptions.SO_RCVBUF, "big"));
        assertTrue(e.getMessage().contains("SO_RCVBUF"), e.getMessage());
    }
}
