package dev.weft.http;

import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The write side of one HTTP connection: a small buffer in front of the socket, so that a response's
 * head and a short body leave in one write, and a batch of pipelined responses in one flush.
 * Writes larger than the buffer go straight to the socket. The buffer exists only while a response
 * is being written: {@link #flushAndRelease()}, which runs before the connection waits for its
 * client, gives it up, so an idle keep-alive connection holds none. Not thread-safe: one connection, one thread.
 */
final class ResponseOutput implements Flushable {

    static final int BUFFER = 2048;

    private final OutputStream out;
    private byte[] buf;
    private int count;

    ResponseOutput(OutputStream out) {
        this.out = out;
    }

    /** Appends {@code s}, one byte per char (the head is ASCII, header values ISO-8859-1). */
    void writeLatin1(String s) throws IOException {
        int len = s.length();
        ensureBuffer();
        if (len > BUFFER - count) {
            drain();
            if (len > BUFFER) {
                out.write(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                return;
            }
        }
        for (int i = 0; i < len; i++) {
            buf[count++] = (byte) s.charAt(i);
        }
    }

    void write(int b) throws IOException {
        ensureBuffer();
        if (count == BUFFER) {
            drain();
        }
        buf[count++] = (byte) b;
    }

    void write(byte[] b, int off, int len) throws IOException {
        ensureBuffer();
        if (len <= BUFFER - count) {
            System.arraycopy(b, off, buf, count, len);
            count += len;
            return;
        }
        drain();
        if (len < BUFFER) {
            System.arraycopy(b, off, buf, 0, len);
            count = len;
        } else {
            out.write(b, off, len);
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

    private void ensureBuffer() {
        if (buf == null) {
            buf = new byte[BUFFER];
        }
    }

    private void drain() throws IOException {
        if (count > 0) {
            int n = count;
            count = 0;
            out.write(buf, 0, n);
        }
    }
}
