package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.tcp.NetworkException.Kind;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The two ways a network failure gets its kind: from the kernel's error number (the epoll
 * transport) and from the JDK's wording of it (the JDK's transport, and {@link NetworkException#kindOf}
 * for sockets of one's own), and the close cause the server gives each kind.
 */
class NetworkExceptionTest {

    @ParameterizedTest(name = "errno {0} is {1}")
    @CsvSource(nullValues = "none", value = {
        "104, RESET", // ECONNRESET
        "32, BROKEN_PIPE", // EPIPE
        "110, TIMED_OUT", // ETIMEDOUT
        "113, HOST_UNREACHABLE", // EHOSTUNREACH
        "112, HOST_UNREACHABLE", // EHOSTDOWN
        "101, NETWORK_UNREACHABLE", // ENETUNREACH
        "100, NETWORK_UNREACHABLE", // ENETDOWN
        "102, NETWORK_UNREACHABLE", // ENETRESET
        "103, ABORTED", // ECONNABORTED
        "11, none", // EAGAIN: not a failure of the connection
        "9, none", // EBADF: a bug, not the network
        "12, none", // ENOMEM
        "105, none", // ENOBUFS: this host's shortage
        "111, none", // ECONNREFUSED: never on an accepted socket
        "0, none",
    })
    void linuxErrorNumbers(int errno, Kind expected) {
        assertEquals(expected, NetworkException.kindOfLinuxErrno(errno));
    }

    @ParameterizedTest(name = "\"{0}\" is {1}")
    @CsvSource(nullValues = "none", value = {
        "Connection reset, RESET", // the JDK's own, for a read
        "Connection reset by peer, RESET", // strerror, for a write
        "Broken pipe, BROKEN_PIPE",
        "Broken pipe (Write failed), BROKEN_PIPE", // older JDKs
        "Connection timed out, TIMED_OUT", // glibc
        "Operation timed out, TIMED_OUT", // macOS
        "No route to host, HOST_UNREACHABLE",
        "Host is down, HOST_UNREACHABLE",
        "Network is unreachable, NETWORK_UNREACHABLE",
        "Network is down, NETWORK_UNREACHABLE",
        "Network dropped connection on reset, NETWORK_UNREACHABLE",
        "Software caused connection abort, ABORTED",
        "Socket closed, none",
        "Socket output is shutdown, none",
        "Read timed out, none",
        "Connexion ré-initialisée par le correspondant, none", // a localised strerror is not recognised
    })
    void theJdksWording(String message, Kind expected) {
        assertEquals(expected, NetworkException.kindOfJdkMessage(message));
        IOException translated = NetworkException.translate(new SocketException(message));
        assertEquals(expected, translated instanceof NetworkException n ? n.kind() : null);
    }

    @Test
    void aTranslationKeepsTheMessageTheStackAndTheOriginal() {
        SocketException original = new SocketException("Connection timed out");
        NetworkException translated = (NetworkException) NetworkException.translate(original);

        assertEquals(Kind.TIMED_OUT, translated.kind());
        assertEquals("Connection timed out", translated.getMessage());
        assertSame(original, translated.getCause());
        assertArrayEquals(original.getStackTrace(), translated.getStackTrace());
    }

    @Test
    void aChannelsPlainIoExceptionIsTranslatedToo() {
        NetworkException translated = (NetworkException) NetworkException.translate(new IOException("No route to host"));
        assertEquals(Kind.HOST_UNREACHABLE, translated.kind());
    }

    @Test
    void onlySocketFailuresAreTranslated() {
        IOException timeout = new SocketTimeoutException("Connection timed out"); // the caller's own timeout
        IOException tls = new SSLHandshakeException("Connection reset");
        IOException eof = new EOFException("Broken pipe");
        IOException typed = new NetworkException(Kind.RESET, "Connection reset");
        IOException unknown = new SocketException("Socket closed");
        IOException noMessage = new SocketException((String) null);

        for (IOException e : new IOException[] {timeout, tls, eof, typed, unknown, noMessage}) {
            assertSame(e, NetworkException.translate(e), e.toString());
        }
    }

    @Test
    void kindOfLooksThroughWrappersAndAtTheJdksOwnSockets() {
        assertEquals(Kind.HOST_UNREACHABLE, NetworkException.kindOf(
                new UncheckedIOException(new NetworkException(Kind.HOST_UNREACHABLE, "No route to host"))));
        assertEquals(Kind.RESET, NetworkException.kindOf(new IOException("relay", new SocketException("Connection reset"))));
        // A SocketChannel (the client's sockets) words its failures in a plain IOException.
        assertEquals(Kind.RESET, NetworkException.kindOf(new IOException("Connection reset by peer")));
        assertEquals(Kind.BROKEN_PIPE, NetworkException.kindOf(new IOException("Broken pipe")));
        assertNull(NetworkException.kindOf(new SocketTimeoutException("Read timed out")));
        assertNull(NetworkException.kindOf(new IllegalStateException("Connection reset"))); // not a socket's failure
        assertNull(NetworkException.kindOf(null));
    }

    @ParameterizedTest(name = "{0} closes as {1}")
    @CsvSource({
        "RESET, RESET",
        "BROKEN_PIPE, BROKEN_PIPE",
        "TIMED_OUT, NETWORK_ERROR",
        "HOST_UNREACHABLE, NETWORK_ERROR",
        "NETWORK_UNREACHABLE, NETWORK_ERROR",
        "ABORTED, NETWORK_ERROR",
    })
    void eachKindHasItsCloseCause(Kind kind, CloseCause expected) {
        NetworkException e = new NetworkException(kind, "as the transport words it");
        assertEquals(expected, TcpConnection.classify(e));
        assertEquals(expected, TcpConnection.classify(new UncheckedIOException(e)));
    }
}
