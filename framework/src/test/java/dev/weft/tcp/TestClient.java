package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * A blocking client socket on 127.0.0.1 with the reads and writes the tests repeat. Every read has
 * a 10 s socket timeout, so a server that never answers fails the test instead of hanging it.
 */
final class TestClient implements AutoCloseable {

    /** Configures a socket before it connects. */
    @FunctionalInterface
    interface SocketSetup {
        void apply(Socket socket) throws IOException;
    }

    static final int READ_TIMEOUT_MILLIS = 10_000;

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private TestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static TestClient connect(int port, SocketSetup beforeConnect) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            beforeConnect.apply(socket);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MILLIS);
            return new TestClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    void send(byte[] data) {
        try {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(String text) {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code data} in fragments of 1..{@code maxFragment} bytes, one write call each. */
    void sendInFragments(byte[] data, Random random, int maxFragment) {
        int off = 0;
        while (off < data.length) {
            int n = Math.min(data.length - off, 1 + random.nextInt(maxFragment));
            try {
                out.write(data, off, n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            off += n;
        }
    }

    /** Reads exactly {@code n} bytes, failing on end-of-stream before that. */
    byte[] readExactly(int n) {
        try {
            byte[] b = in.readNBytes(n);
            if (b.length != n) {
                fail("end of stream after " + b.length + " of " + n + " bytes: " + printable(b));
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String readString(int byteCount) {
        return new String(readExactly(byteCount), StandardCharsets.UTF_8);
    }

    /** Reads up to a {@code \n} and returns what came before it (US-ASCII); fails at end of stream. */
    String readLine() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    fail("end of stream after " + line.size() + " bytes of a line: " + printable(line.toByteArray()));
                }
                line.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Reads exactly {@code n} bytes with read calls of 1..{@code maxFragment} bytes each. */
    byte[] readInFragments(int n, Random random, int maxFragment) {
        byte[] result = new byte[n];
        int off = 0;
        try {
            while (off < n) {
                int r = in.read(result, off, Math.min(n - off, 1 + random.nextInt(maxFragment)));
                if (r < 0) {
                    fail("end of stream after " + off + " of " + n + " bytes");
                }
                off += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    /** Reads until the server closes its side. */
    byte[] readToEnd() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            in.transferTo(all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toByteArray();
    }

    /** Sends {@code text} and asserts the server echoes exactly it back. */
    void assertEchoes(String text) {
        send(text);
        String echoed = readString(text.getBytes(StandardCharsets.UTF_8).length);
        if (!echoed.equals(text)) {
            fail("sent " + text + ", echoed " + echoed);
        }
    }

    /**
     * Asserts the server has ended the connection: the next read sees end-of-stream or a reset
     * (the kernel sends a reset instead of FIN when unread data was discarded), not data and not a
     * read timeout.
     *
     * @return "eof" or "reset"
     */
    String assertEnded() {
        try {
            int b = in.read();
            if (b >= 0) {
                fail("expected the connection to end, read byte " + b);
            }
            return "eof";
        } catch (SocketTimeoutException e) {
            return fail("the server did not end the connection within " + READ_TIMEOUT_MILLIS + " ms");
        } catch (SocketException e) {
            if (String.valueOf(e.getMessage()).contains("Connection reset")) {
                return "reset";
            }
            throw new UncheckedIOException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int available() {
        try {
            return in.available();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes with SO_LINGER 0, so the kernel sends a reset instead of FIN. */
    void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // A client socket that will not close leaves nothing to assert.
        }
    }

    static String printable(byte[] b) {
        return new String(Arrays.copyOf(b, Math.min(b.length, 64)), StandardCharsets.ISO_8859_1);
    }
}
