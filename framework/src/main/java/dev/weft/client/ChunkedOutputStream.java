package dev.weft.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a message body in chunked transfer coding: one chunk per write, {@link #finish()} ends it.
 * Used by the client and the proxies for bodies of unknown length.
 */
public final class ChunkedOutputStream extends FilterOutputStream {

    public ChunkedOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return; // a zero-size chunk would end the body
        }
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b, off, len);
        out.write('\r');
        out.write('\n');
    }

    /** Writes the last chunk (no trailers). */
    public void finish() throws IOException {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Closing the body does not close the connection. */
    @Override
    public void close() throws IOException {
        flush();
    }
}
