package dev.weft.bench.load;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.Loopback;
import dev.weft.bench.servers.Protocol;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load client checks every reply: these scripted servers answer right, in pieces, or wrong,
 * and the HTTP exchange must tell which.
 */
@Timeout(30)
class ExchangeTest {

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
            + "Hello, World!";

    @Test
    void acceptsTheHelloResponseEvenInPieces() throws Exception {
        assertDoesNotThrow(() -> httpAgainst(OK, 5));
        assertDoesNotThrow(() -> httpAgainst(OK, 1));
    }

    @Test
    void findsContentLengthInAnyCaseAfterOtherFields() {
        // Netty's field names are lower case; Weft sends Date first.
        assertDoesNotThrow(() -> httpAgainst("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 13\r\n\r\n"
                + "Hello, World!", 1000));
        assertDoesNotThrow(() -> httpAgainst("HTTP/1.1 200 OK\r\nDate: Wed, 25 Nov 2026 06:39:00 GMT\r\n"
                + "Content-Type: text/plain\r\nCONTENT-LENGTH:\t 13 \r\n\r\nHello, World!", 3));
    }

    @Test
    void refusesAContentLengthThatIsNotANumber() {
        assertBad("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nHello, World!", "bad Content-Length: Content-Length: 1x");
        assertBad("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\nHello, World!", "bad Content-Length");
        assertBad("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\nHello, World!", "bad Content-Length");
        // A field whose name only begins like it is another field.
        assertBad("HTTP/1.1 200 OK\r\nContent-Lengths: 13\r\n\r\nHello, World!", "no Content-Length");
    }

    @Test
    void refusesAWrongStatusBodyLengthOrExtraBytes() {
        assertBad("HTTP/1.1 500 Oops\r\nContent-Length: 13\r\n\r\nHello, World!", "status line HTTP/1.1 500 Oops");
        assertBad("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, Wirld!", "unexpected body");
        assertBad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nd\r\nHello, World!\r\n0\r\n\r\n",
                "no Content-Length");
        assertBad(OK + "HTTP/1.1", "after the response", 1000); // arrives with the head, in one read
        assertBad("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello", "closed inside the body");
    }

    @Test
    void echoRefusesAReplyThatDiffers() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, Loopback.address())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    byte[] got = s.getInputStream().readNBytes(64);
                    got[10] ^= 1;
                    s.getOutputStream().write(got);
                } catch (IOException ignored) {
                    // The test's client has gone.
                }
            });
            try (Socket client = new Socket(Loopback.address(), server.getLocalPort())) {
                client.setSoTimeout(10_000);
                Exchange echo = Exchange.of(options("echo"), 0, client);
                IOException e = assertThrows(Exchange.BadReply.class, () -> echo.roundTrip(0));
                assertTrue(e.getMessage().contains("byte 10"), e.getMessage());
            }
        }
    }

    private static void assertBad(String response, String why) {
        assertBad(response, why, 7);
    }

    private static void assertBad(String response, String why, int piece) {
        IOException e = assertThrows(IOException.class, () -> httpAgainst(response, piece));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    /** One HTTP exchange against a server that answers {@code response} in writes of {@code piece} bytes. */
    private static void httpAgainst(String response, int piece) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, Loopback.address())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().readNBytes(Protocol.HELLO_REQUEST.length);
                    byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < bytes.length; off += piece) {
                        out.write(bytes, off, Math.min(piece, bytes.length - off));
                        out.flush();
                    }
                } catch (IOException ignored) {
                    // The test's client has gone.
                }
            });
            try (Socket client = new Socket(Loopback.address(), server.getLocalPort())) {
                client.setSoTimeout(10_000);
                client.setTcpNoDelay(true);
                Exchange.of(options("http"), 0, client).roundTrip(0);
            }
        }
    }

    private static LoadOptions options(String protocol) {
        return LoadOptions.parse(new String[] {"--port", "1", "--protocol", protocol});
    }
}
