package dev.weft.http;

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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A raw client socket on 127.0.0.1 for the slow-client tests: it writes a request as slowly as an
 * attacker would, and reads what the server answers, telling an answer, a clean end (FIN) and a
 * reset apart. Every read has a timeout, so a server that never answers fails the test.
 */
final class SlowSocket implements AutoCloseable {

    /** What {@link #trickle} saw: how many bytes it wrote before the server reacted, and how. */
    record Trickled(int sent, boolean answered, boolean ended) {
    }

    /** A response read off the wire: status, headers (names lower-cased, last value wins), body. */
    record Answer(int status, Map<String, String> headers, byte[] body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** {@link #awaitByte}'s answer when nothing came in time. */
    private static final int QUIET = -2;

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** One byte read ahead while waiting for the server ({@link #awaitByte}), or -1. */
    private int peeked = -1;
    private boolean reset;

    private SlowSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static SlowSocket connect(int port) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            return new SlowSocket(socket);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to add to the failure
            }
            throw new UncheckedIOException(e);
        }
    }

    void send(String text) {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] data) {
        try {
            out.write(data);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits {@code time} for the server without writing: true if it stayed silent, false if it
     * answered or ended the connection meanwhile. A read with a timeout, never a sleep.
     */
    boolean quietFor(Duration time) {
        return awaitByte(time) == QUIET;
    }

    /**
     * Writes {@code data} one byte at a time; after each byte waits up to {@code gap} for the server,
     * and stops as soon as it answers or ends the connection. The wait is a read with a timeout,
     * never a sleep: the server's reaction ends it at once.
     */
    Trickled trickle(byte[] data, Duration gap) {
        int sent = 0;
        for (byte b : data) {
            try {
                out.write(b);
                out.flush();
            } catch (SocketException e) {
                return new Trickled(sent, false, true); // the server closed: a write fails with a reset
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sent++;
            int r = awaitByte(gap);
            if (r != QUIET) {
                return new Trickled(sent, r >= 0, r < 0);
            }
        }
        return new Trickled(sent, false, false);
    }

    /**
     * Reads one byte, waiting at most {@code timeout}: the byte (kept for the next read), -1 if the
     * server ended the connection (a reset is noted), or {@link #QUIET} if it stayed silent.
     */
    private int awaitByte(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            int r = in.read();
            if (r >= 0) {
                peeked = r;
            }
            return r;
        } catch (SocketTimeoutException e) {
            return QUIET;
        } catch (SocketException e) {
            reset = true;
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                socket.setSoTimeout(10_000);
            } catch (SocketException ignored) {
                // closed: the next read reports it
            }
        }
    }

    /**
     * Reads everything until the server ends the connection, waiting at most {@code timeout} for each
     * read and 3 × {@code timeout} in all. A reset after some bytes ends the read like a FIN does
     * ({@link #wasReset()} tells).
     */
    byte[] readToEnd(Duration timeout) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        if (peeked >= 0) {
            all.write(peeked);
            peeked = -1;
        }
        long deadline = System.nanoTime() + 3 * timeout.toNanos();
        byte[] buf = new byte[4096];
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            while (System.nanoTime() < deadline) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketException e) {
                    reset = true;
                    return all.toByteArray();
                }
                if (n < 0) {
                    return all.toByteArray();
                }
                all.write(buf, 0, n);
            }
            throw new AssertionError("the connection did not end within " + timeout.multipliedBy(3) + "; read: "
                    + all.toString(StandardCharsets.ISO_8859_1));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither answered nor closed within " + timeout + "; read: "
                    + all.toString(StandardCharsets.ISO_8859_1), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response framed by Content-Length (the server's own error and {@code send} responses). */
    Answer readAnswer(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = peeked >= 0 ? peeked : in.read();
                peeked = -1;
                if (b < 0) {
                    throw new AssertionError("connection ended inside a response head: "
                            + head.toString(StandardCharsets.ISO_8859_1));
                }
                head.write(b);
                if (head.size() > 64 * 1024) {
                    throw new AssertionError("response head too long");
                }
            }
            Answer parsed = parse(head.toByteArray());
            String length = parsed.header("Content-Length");
            byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
            return new Answer(parsed.status(), parsed.headers(), body);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no complete response within " + timeout, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses bytes holding one whole response whose body runs to the end of {@code raw}. */
    static Answer parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            throw new AssertionError("not an HTTP/1.1 response: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int status = Integer.parseInt(lines[0].substring(9, 12));
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        return new Answer(status, headers, body);
    }

    /** Whether a read saw a reset rather than a clean end. */
    boolean wasReset() {
        return reset;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to assert about a client socket that will not close
        }
    }
}
