package dev.weft.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/** The three ways a response body leaves: chunked, of declared length, or not at all (HEAD, 204, 304). */
final class BodyOutputStreams {

    private BodyOutputStreams() {
    }

    /** Chunked transfer coding (RFC 9112 section 7.1): each write is one chunk; close sends the last. */
    static final class Chunked extends OutputStream {

        private final ResponseOutput out;
        private boolean closed;

        Chunked(ResponseOutput out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            checkOpen(closed);
            if (len == 0) {
                return; // a zero-size chunk would end the body
            }
            out.writeLatin1(Integer.toHexString(len));
            out.writeLatin1("\r\n");
            out.write(b, off, len);
            out.writeLatin1("\r\n");
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                out.writeLatin1("0\r\n\r\n");
            }
        }
    }

    /** A body of declared length: more bytes than declared fail, fewer leave the response incomplete. */
    static final class Fixed extends OutputStream {

        private final ResponseOutput out;
        private long remaining;
        private boolean closed;

        Fixed(ResponseOutput out, long length) {
            this.out = out;
            this.remaining = length;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            checkOpen(closed);
            if (len > remaining) {
                throw new IOException("response body longer than its Content-Length (" + len + " more bytes, "
                        + remaining + " left)");
            }
            out.write(b, off, len);
            remaining -= len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() {
            closed = true;
        }

        /** Whether every declared byte was written. */
        boolean complete() {
            return remaining == 0;
        }
    }

    /** For HEAD and bodiless statuses: counts nothing, sends nothing. */
    static final class Discarding extends OutputStream {

        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            checkOpen(closed);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            checkOpen(closed);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static void checkOpen(boolean closed) throws IOException {
        if (closed) {
            throw new IOException("response body already closed");
        }
    }
}
