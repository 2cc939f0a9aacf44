package dev.weft.http;

import java.io.Flushable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The read side of one HTTP connection: a buffer over the socket's stream that hands out CRLF lines
 * for the parsers and raw bytes for bodies.
 *
 * <p>The buffer starts small (an idle keep-alive connection should cost little) and grows to fit the
 * longest line the limits allow, never further. Lines must end in CRLF: a bare LF or a CR not
 * followed by LF is a 400, because a server that guesses where a line ends disagrees with some
 * proxy in front of it (request smuggling). Not thread-safe: one connection, one thread.
 */
final class HttpInput {

    /** Enough for a small request head; the buffer grows for larger ones and shrinks back when idle. */
    static final int INITIAL_BUFFER = 256;
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final InputStream in;
    private Flushable beforeBlockingRead = () -> { };
    private byte[] buf;
    private boolean receivedAny;
    private int pos;
    private int lim;

    HttpInput(InputStream in) {
        this(in, INITIAL_BUFFER);
    }

    HttpInput(InputStream in, int initialBuffer) {
        this.in = in;
        this.buf = new byte[initialBuffer];
    }

    /**
     * Runs {@code flush} before every read that may block, so that responses held back for a
     * pipelined batch reach the client before the server waits for it.
     */
    void flushBeforeBlockingRead(Flushable flush) {
        this.beforeBlockingRead = flush;
    }

    /**
     * Waits until at least one byte is buffered; false if the stream ends first. A buffer that grew
     * for an earlier message and holds nothing now is replaced by a small one first: an idle
     * keep-alive connection keeps little.
     */
    boolean awaitData() throws IOException {
        if (pos < lim) {
            return true;
        }
        shrinkIfEmpty();
        return fill(buf.length);
    }

    /** Replaces a buffer that grew for an earlier message and holds nothing now by a small one. */
    void shrinkIfEmpty() {
        if (pos >= lim && buf.length > INITIAL_BUFFER) {
            buf = new byte[INITIAL_BUFFER];
            pos = 0;
            lim = 0;
        }
    }

    /**
     * Reads one line and returns it without its CRLF, as ISO-8859-1 (one char per byte).
     *
     * @param maxLength the longest line accepted, CRLF excluded
     * @param tooLong   makes what is thrown when the line is longer (only then: most lines fit)
     * @return the line, or {@code null} if the stream ended before its first byte
     * @throws HttpException on a bare CR or LF, a line that is too long, or a stream that ends mid-line
     */
    String readLine(int maxLength, Supplier<HttpException> tooLong) throws IOException {
        int end = nextLine(maxLength, tooLong);
        if (end < 0) {
            return null;
        }
        String line = latin1(pos, end);
        skipLine(end);
        return line;
    }

    /**
     * Buffers the next line whole, with the same checks as {@link #readLine}, without making a String
     * of it: the line is {@link #buffer()}{@code [}{@link #position()}{@code , end)}, where {@code end}
     * is what this returns (-1 if the stream ended before the line's first byte). The caller reads
     * it, then calls {@link #skipLine(int)}; the buffer is valid until then.
     */
    int nextLine(int maxLength, Supplier<HttpException> tooLong) throws IOException {
        int scanned = 0; // bytes from pos already known to hold no LF
        while (true) {
            int lf = indexOf(LF, pos + scanned, lim);
            if (lf >= 0) {
                int end = lf - 1; // where CR must be
                if (end < pos || buf[end] != CR) {
                    throw HttpException.badRequest("line ends in a bare LF");
                }
                if (end - pos > maxLength) {
                    throw tooLong.get();
                }
                if (indexOf(CR, pos, end) >= 0) {
                    throw HttpException.badRequest("bare CR in a line");
                }
                return end;
            }
            scanned = lim - pos;
            if (scanned > maxLength + 1) { // even a CRLF next could not make it fit
                throw tooLong.get();
            }
            if (!fill(maxLength + 2)) {
                if (lim == pos) {
                    return -1;
                }
                throw HttpException.badRequest("connection closed in the middle of a line");
            }
        }
    }

    /** The buffer that holds the line {@link #nextLine} found. */
    byte[] buffer() {
        return buf;
    }

    /** Where the line {@link #nextLine} found starts in {@link #buffer()}. */
    int position() {
        return pos;
    }

    /** Consumes the line {@link #nextLine} found, which ends (before its CRLF) at {@code end}. */
    void skipLine(int end) {
        pos = end + 2;
    }

    /** Reads up to {@code len} body bytes, buffered ones first; -1 at end of stream. */
    int read(byte[] b, int off, int len) throws IOException {
        if (pos < lim) {
            int n = Math.min(len, lim - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }
        beforeBlockingRead.flush();
        int n = in.read(b, off, len);
        if (n > 0) {
            receivedAny = true;
        }
        return n;
    }

    /** Reads one byte, or -1 at end of stream. */
    int read() throws IOException {
        if (pos == lim && !fill(buf.length)) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** Bytes that can be read without blocking. */
    int available() throws IOException {
        return (lim - pos) + in.available();
    }

    /** Whether any byte has come from the stream yet. */
    boolean receivedAny() {
        return receivedAny;
    }

    /** Whether buffered bytes wait, for example a pipelined request. */
    boolean hasBuffered() {
        return pos < lim;
    }

    /** Reads more into the buffer, growing it up to {@code maxCapacity}; false at end of stream. */
    private boolean fill(int maxCapacity) throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            int grown = Math.min(Math.max(buf.length * 2, INITIAL_BUFFER), Math.max(maxCapacity, buf.length));
            if (grown == buf.length) {
                return true; // full at the cap: the caller's length check fails next
            }
            buf = Arrays.copyOf(buf, grown);
        }
        beforeBlockingRead.flush();
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            return false;
        }
        receivedAny |= n > 0;
        lim += n;
        return true;
    }

    private int indexOf(byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private String latin1(int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
