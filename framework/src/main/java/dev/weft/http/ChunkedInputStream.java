package dev.weft.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A chunked request body (RFC 9112 section 7.1), decoded strictly as it is read.
 *
 * <p>Chunk sizes are hex digits only, at most 15 of them after leading zeros (no overflow); the
 * chunk-size line, extensions included, is bounded ({@code maxChunkExtensionSize}); extensions must
 * be {@code ;name[=value]} with token names; each chunk's data must be followed by exactly CRLF;
 * trailer fields are parsed like header fields and bounded ({@code maxTrailerSize}, 431). A body
 * longer than {@code maxBodySize} fails with 413. Any error leaves the stream unusable: the
 * connection must close. Closing it does not close the connection.
 */
final class ChunkedInputStream extends InputStream {

    private static final int MAX_SIZE_DIGITS = 15;

    private final HttpInput in;
    private final HttpLimits limits;
    private final Headers trailers = new Headers();
    private long chunkRemaining;
    private long total;
    private boolean done;

    ChunkedInputStream(HttpInput in, HttpLimits limits) {
        this.in = in;
        this.limits = limits;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (chunkRemaining == 0) {
            if (done || !nextChunk()) {
                return -1;
            }
        }
        int n = in.read(b, off, (int) Math.min(len, chunkRemaining));
        if (n < 0) {
            throw HttpException.badRequest("connection closed inside a chunk");
        }
        chunkRemaining -= n;
        if (chunkRemaining == 0) {
            expectCrlf();
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(chunkRemaining, in.available());
    }

    /** Whether the last chunk and the trailers have been read. */
    boolean isComplete() {
        return done;
    }

    /** The trailer fields, complete once the body has been read to its end. */
    Headers trailers() {
        return trailers;
    }

    /** Reads the next chunk-size line; false after the last chunk (and its trailers). */
    private boolean nextChunk() throws IOException {
        String line = in.readLine(limits.maxChunkExtensionSize(),
                () -> HttpException.badRequest("chunk size line too long"));
        if (line == null) {
            throw HttpException.badRequest("connection closed before the next chunk");
        }
        long size = parseSize(line);
        if (size == 0) {
            HeaderParser.read(in, trailers, limits.maxTrailerSize(), limits.maxHeaderCount(), "trailer");
            done = true;
            return false;
        }
        total += size;
        if (total > limits.maxBodySize()) {
            throw HttpException.closing(413, "request body larger than " + limits.maxBodySize() + " bytes");
        }
        chunkRemaining = size;
        return true;
    }

    static long parseSize(String line) {
        int end = 0;
        while (end < line.length() && isHex(line.charAt(end))) {
            end++;
        }
        if (end == 0) {
            throw HttpException.badRequest("invalid chunk size");
        }
        int first = 0;
        while (first < end - 1 && line.charAt(first) == '0') {
            first++;
        }
        if (end - first > MAX_SIZE_DIGITS) {
            throw HttpException.badRequest("chunk size too large");
        }
        checkExtensions(line, end);
        return Long.parseLong(line, first, end, 16);
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** {@code *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )}, nothing else. */
    private static void checkExtensions(String line, int from) {
        int i = skipBws(line, from);
        while (i < line.length()) {
            if (line.charAt(i) != ';') {
                throw HttpException.badRequest("invalid chunk size");
            }
            i = skipBws(line, i + 1);
            int nameEnd = tokenEnd(line, i);
            if (nameEnd == i) {
                throw HttpException.badRequest("invalid chunk extension");
            }
            i = skipBws(line, nameEnd);
            if (i < line.length() && line.charAt(i) == '=') {
                i = skipBws(line, i + 1);
                i = i < line.length() && line.charAt(i) == '"' ? quotedEnd(line, i) : tokenEnd(line, i);
                i = skipBws(line, i);
            }
        }
    }

    private static int tokenEnd(String s, int from) {
        int i = from;
        while (i < s.length() && Tokens.isToken(s, i, i + 1)) {
            i++;
        }
        if (i == from) {
            throw HttpException.badRequest("invalid chunk extension");
        }
        return i;
    }

    private static int quotedEnd(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++; // quoted-pair: the escaped character must be HTAB, SP, VCHAR or obs-text too
                if (i == s.length() || !Tokens.isFieldValueChar(s.charAt(i))) {
                    break;
                }
            } else if (c == '"') {
                return i + 1;
            } else if (!Tokens.isFieldValueChar(c)) {
                break;
            }
        }
        throw HttpException.badRequest("invalid chunk extension");
    }

    private static int skipBws(String s, int from) {
        int i = from;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private void expectCrlf() throws IOException {
        if (in.read() != '\r' || in.read() != '\n') {
            throw HttpException.badRequest("chunk data not followed by CRLF");
        }
    }
}
