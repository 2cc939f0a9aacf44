package dev.weft.http;

import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The write side of one HTTP connection: a small buffer in front of the socket, so that a response's
 * head and a short body leave in one write, and a batch of pipelined responses in one flush.
 * Writes larger than the buffer go straight to the socket. The buffer exists only while a response
 * is being written: {@link #flushAndRelease()}, which runs before the connection waits for its
 * client, gives it up, so an idle keep-alive connection holds none. It starts at
 * {@value #INITIAL_BUFFER} bytes (a small response's head and body) and grows up to {@value #BUFFER}.
 * Not thread-safe: one connection, one thread.
 */
final class ResponseOutput implements Flushable {

    /** The most the buffer holds; larger writes go straight to the socket. */
    static final int BUFFER = 2048;
    /** What a response starts with: enough for the head and body of a small answer. */
    static final int INITIAL_BUFFER = 256;

    private final OutputStream out;
    private byte[] buf;
    private int count;
    private boolean failed;

    ResponseOutput(OutputStream out) {
        this.out = out;
    }

    /** Appends {@code s}, one byte per char (the head is ASCII, header values ISO-8859-1). */
    void writeLatin1(String s) throws IOException {
        int len = s.length();
        if (!ensureRoom(len)) {
            drain();
            if (len > BUFFER) {
                send(s.getBytes(StandardCharsets.ISO_8859_1), 0, len);
                return;
            }
        }
        for (int i = 0; i < len; i++) {
            buf[count++] = (byte) s.charAt(i);
        }
    }

    void write(int b) throws IOException {
        if (!ensureRoom(1)) {
            drain();
        }
        buf[count++] = (byte) b;
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (ensureRoom(len)) {
            System.arraycopy(b, off, buf, count, len);
            count += len;
            return;
        }
        drain();
        if (len < BUFFER) {
            System.arraycopy(b, off, buf, 0, len);
            count = len;
        } else {
            send(b, off, len);
        }
    }

    /** Sends what is buffered; does nothing when the buffer is empty. */
    @Override
    public void flush() throws IOException {
        drain();
    }

    /** Flushes and gives the buffer up: the connection is about to wait for its client. */
    void flushAndRelease() throws IOException {
        drain();
        buf = null;
    }

    /**
     * Makes room for {@code len} more bytes, creating or growing the buffer up to {@link #BUFFER};
     * false when they do not fit beside what is buffered (the caller drains first). It returns false
     * only with the buffer at its full {@link #BUFFER} bytes, so after a drain anything up to that fits.
     */
    private boolean ensureRoom(int len) {
        int needed = count + len;
        if (buf == null) {
            buf = new byte[Math.min(BUFFER, Math.max(INITIAL_BUFFER, needed))];
        } else if (needed > buf.length && buf.length < BUFFER) {
            buf = Arrays.copyOf(buf, Math.min(BUFFER, Math.max(buf.length * 2, needed)));
        }
        return needed <= buf.length;
    }

    private void drain() throws IOException {
        if (count > 0) {
            int n = count;
            count = 0;
            send(buf, 0, n);
        }
    }

    /** Whether a write to the client failed: it is gone or stopped reading, so nobody is left to answer. */
    boolean failed() {
        return failed;
    }

    private void send(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            failed = true;
            throw e;
        }
    }
}
