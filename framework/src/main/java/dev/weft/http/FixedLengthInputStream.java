package dev.weft.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A request body of known length: ends after exactly that many bytes, and fails (400) if the
 * connection ends first. Closing it does not close the connection.
 */
final class FixedLengthInputStream extends InputStream {

    private final HttpInput in;
    private long remaining;

    FixedLengthInputStream(HttpInput in, long length) {
        this.in = in;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int b = in.read();
        if (b < 0) {
            throw truncated();
        }
        remaining--;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (remaining == 0) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw truncated();
        }
        remaining -= n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(remaining, in.available());
    }

    /** Whether every byte of the body has been read. */
    boolean isComplete() {
        return remaining == 0;
    }

    private HttpException truncated() {
        return HttpException.badRequest("connection closed " + remaining + " bytes before the end of the body");
    }
}
