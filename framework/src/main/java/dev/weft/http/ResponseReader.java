package dev.weft.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads responses from a connection, strictly: the client side of the parsers, for Weft's HTTP
 * client and proxies. One reader per connection, used by one thread at a time; it buffers, so every
 * byte of the connection must be read through it.
 *
 * <p>Malformed input fails with {@link HttpException} (status 502 is what a proxy should answer):
 * a status line that is not {@code HTTP/1.x NNN reason} with NNN from 100 to 999 (a 1.x after 1.1
 * read as 1.1), header fields as
 * strict as a request's, conflicting {@code Content-Length} values, a bad chunk.
 */
public final class ResponseReader {

    /** Bounds for responses: larger headers than requests (cookies, CSPs), no body limit. */
    public static final HttpLimits RESPONSE_LIMITS = HttpLimits.DEFAULTS
            .withMaxHeaderSize(64 * 1024).withMaxHeaderCount(256).withMaxBodySize(Long.MAX_VALUE)
            .withMaxTrailerSize(16 * 1024);

    private final HttpInput in;
    private final HttpLimits limits;

    public ResponseReader(InputStream in) {
        this(in, RESPONSE_LIMITS);
    }

    public ResponseReader(InputStream in, HttpLimits limits) {
        this.in = new HttpInput(in);
        this.limits = limits;
    }

    /**
     * Reads the next status line and header section.
     *
     * @return the head, or {@code null} if the connection ended before its first byte
     * @throws HttpException if it is malformed or too large
     */
    public ResponseHead readHead() throws IOException {
        String line = in.readLine(limits.maxRequestLineLength(),
                () -> HttpException.closing(502, "status line too long"));
        if (line == null) {
            return null;
        }
        // Three digits, 100..999: RFC 9110 section 15 makes 000..099 invalid (and a proxy relays the status).
        if (line.length() < 12 || !line.startsWith("HTTP/1.") || !isDigits(line, 7, 8) || line.charAt(8) != ' '
                || !isDigits(line, 9, 12) || line.charAt(9) == '0' || (line.length() > 12 && line.charAt(12) != ' ')) {
            throw HttpException.closing(502, "malformed status line");
        }
        // A later 1.x is read as HTTP/1.1, the highest minor version we conform to (RFC 9110 section 6.2).
        String version = line.charAt(7) == '0' ? "HTTP/1.0" : "HTTP/1.1";
        Headers headers = new Headers();
        HeaderParser.read(in, headers, limits.maxHeaderSize(), limits.maxHeaderCount(), "response header");
        return new ResponseHead(version, Integer.parseInt(line.substring(9, 12)),
                line.length() > 13 ? line.substring(13) : "", headers.readOnly());
    }

    /** Whether any byte has arrived on the connection since this reader was made. */
    public boolean receivedAny() {
        return in.receivedAny();
    }

    /**
     * The body of the response to a {@code requestMethod} request, framed as RFC 9112 section 6.3
     * says: none for HEAD, 1xx, 204 and 304 (and 2xx to CONNECT); chunked; {@code Content-Length};
     * else everything until the server closes ({@link #endsAtClose}).
     */
    public InputStream body(String requestMethod, ResponseHead head) {
        return switch (framing(requestMethod, head)) {
            case NONE -> InputStream.nullInputStream();
            case CHUNKED -> new ChunkedInputStream(in, limits);
            case LENGTH -> {
                long length = contentLength(head);
                yield length == 0 ? InputStream.nullInputStream() : new FixedLengthInputStream(in, length);
            }
            case UNTIL_CLOSE -> untilClose();
        };
    }

    /**
     * The body's length from {@code Content-Length}, or -1 when the body is framed otherwise (none,
     * chunked, until close); a proxy passes it on so the client gets the same framing.
     *
     * @throws HttpException if the Content-Length values are malformed or disagree
     */
    public static long declaredLength(String requestMethod, ResponseHead head) {
        return framing(requestMethod, head) == Framing.LENGTH ? contentLength(head) : -1;
    }

    /** Whether the body of this response is delimited only by the connection closing. */
    public static boolean endsAtClose(String requestMethod, ResponseHead head) {
        return framing(requestMethod, head) == Framing.UNTIL_CLOSE;
    }

    private enum Framing { NONE, CHUNKED, LENGTH, UNTIL_CLOSE }

    private static Framing framing(String requestMethod, ResponseHead head) {
        int status = head.status();
        if (requestMethod.equals("HEAD") || head.isInterim() || status == 204 || status == 304
                || (requestMethod.equals("CONNECT") && status / 100 == 2)) {
            return Framing.NONE;
        }
        if (head.headers().contains("Transfer-Encoding")) {
            String te = head.headers().all("Transfer-Encoding").getLast().strip();
            return te.substring(te.lastIndexOf(',') + 1).strip().equalsIgnoreCase("chunked")
                    ? Framing.CHUNKED : Framing.UNTIL_CLOSE;
        }
        return head.headers().contains("Content-Length") ? Framing.LENGTH : Framing.UNTIL_CLOSE;
    }

    /**
     * Everything the connection carries from here on, buffered bytes first: after
     * {@code 101 Switching Protocols}, the new protocol's bytes.
     */
    public InputStream remaining() {
        return untilClose();
    }

    private InputStream untilClose() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : in.read(b, off, len);
            }
        };
    }

    private static long contentLength(ResponseHead head) {
        try {
            return BodyFraming.contentLength(head.headers().all("Content-Length"));
        } catch (HttpException e) {
            throw HttpException.closing(502, e.getMessage() + " in the response");
        }
    }

    private static boolean isDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
