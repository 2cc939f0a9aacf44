package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** How {@code ./weft tcping} names a failed probe: by the failure's type and kind, as the server does. */
class TcPingClassifyTest {

    @Test
    void eachFailureHasItsOutcome() {
        assertEquals(TcPing.Outcome.TIMED_OUT, TcPing.classify(new SocketTimeoutException("Connect timed out")));
        assertEquals(TcPing.Outcome.RESET, TcPing.classify(new SocketException("Connection reset")));
        assertEquals(TcPing.Outcome.RESET, TcPing.classify(new SocketException("Connection reset by peer")));
        assertEquals(TcPing.Outcome.REFUSED, TcPing.classify(new ConnectException("Connection refused")));
        assertEquals(TcPing.Outcome.OTHER, TcPing.classify(new SocketException("Network is unreachable")));
        // Not a reset: the word alone, in a failure that is not the socket's, says nothing.
        assertEquals(TcPing.Outcome.OTHER, TcPing.classify(new IOException("config reset")));
    }
}
