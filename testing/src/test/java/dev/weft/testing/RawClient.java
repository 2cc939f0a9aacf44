package dev.weft.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A plain blocking socket client for the tests: exact writes, exact reads, every read bounded. */
final class RawClient implements AutoCloseable {

    static final Duration READ_BOUND = Duration.ofSeconds(10);

    final Socket socket;
    final InputStream in;

    RawClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 2000);
        socket.setSoTimeout((int) READ_BOUND.toMillis()); // a bound on a broken test, not a wait for state
        in = socket.getInputStream();
    }

    RawClient(MockUpstream upstream) throws IOException {
        this(upstream.address());
    }

    RawClient send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    /** Exactly {@code n} bytes, as ISO-8859-1; fails if the stream ends first. */
    String read(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("ended after " + b.length + " of " + n + " bytes: " + text(b));
        }
        return text(b);
    }

    /** Everything until the server closes. */
    String readToEnd() throws IOException {
        return text(in.readAllBytes());
    }

    /** Up to and including the first empty line. */
    String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("ended inside the head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Waits at most {@code timeout} for each following read. */
    RawClient readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
