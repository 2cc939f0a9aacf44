package dev.weft.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads HTTP/1.1 requests from one connection for {@link MockUpstream}, leniently: it records what
 * a client sent rather than judging it (a line without a colon becomes a field with an empty
 * value, a request line with fewer than three words keeps empty parts). One reader per
 * connection, one thread; it buffers, so the connection's later bytes (a tunnel's) are read
 * through {@link #in()}.
 *
 * <p>Bounds: a head of at most {@link #MAX_HEAD} bytes (a longer one ends the connection); body
 * bytes beyond the recording limit are counted and dropped.
 */
final class RequestReader {

    /** The largest request head read; past it the connection is closed. */
    static final int MAX_HEAD = 1024 * 1024;

    /** The request line and header fields of one request. */
    record Head(String method, String target, String version, List<RecordedRequest.Field> fields) {
    }

    /** A body as far as it arrived: the first bytes up to the limit, the total count, whether it ended as framed. */
    record Body(byte[] bytes, long size, boolean complete) {
        static final Body NONE = new Body(new byte[0], 0, true);
    }

    private final InputStream in;
    private int headBytes;

    RequestReader(InputStream buffered) {
        this.in = buffered;
    }

    /** The connection's input, buffered; what follows the last request read. */
    InputStream in() {
        return in;
    }

    /**
     * Reads the next request head.
     *
     * @return the head, or {@code null} if the connection ended before its first byte
     * @throws IOException if it ended inside the head, or the head is too large
     */
    Head readHead() throws IOException {
        headBytes = 0;
        String line;
        do { // RFC 9112 section 2.2: empty lines before a request line are ignored
            line = readLine(true);
            if (line == null) {
                return null;
            }
        } while (line.isEmpty());
        String[] words = line.split(" ", 3);
        String method = words[0];
        String target = words.length > 1 ? words[1] : "";
        String version = words.length > 2 ? words[2] : "";
        List<RecordedRequest.Field> fields = new ArrayList<>();
        for (String field = readLine(false); !field.isEmpty(); field = readLine(false)) {
            int colon = field.indexOf(':');
            fields.add(colon < 0 ? new RecordedRequest.Field(field, "")
                    : new RecordedRequest.Field(field.substring(0, colon), strip(field.substring(colon + 1))));
        }
        return new Head(method, target, version, fields);
    }

    /**
     * Reads the body {@code head} announces: chunked if the last transfer coding is chunked, else
     * {@code Content-Length} bytes, else none. Keeps up to {@code maxRecorded} bytes.
     */
    Body readBody(Head head, long maxRecorded) throws IOException {
        String transferEncoding = last(head, "Transfer-Encoding");
        String contentLength = last(head, "Content-Length");
        Recorder body = new Recorder(maxRecorded);
        try {
            if (transferEncoding != null && lastCoding(transferEncoding).equalsIgnoreCase("chunked")) {
                readChunked(body);
            } else if (contentLength != null) {
                long length = Long.parseLong(contentLength.strip());
                if (length < 0) {
                    return body.ended(false);
                }
                copy(length, body);
            } else {
                return Body.NONE;
            }
        } catch (NumberFormatException | EOFException e) {
            return body.ended(false);
        }
        return body.ended(true);
    }

    private void readChunked(Recorder body) throws IOException {
        while (true) {
            String sizeLine = readLine(false);
            int end = 0;
            while (end < sizeLine.length() && Character.digit(sizeLine.charAt(end), 16) >= 0) {
                end++;
            }
            long size = Long.parseLong(sizeLine.substring(0, end), 16); // empty: NumberFormatException
            if (size == 0) {
                while (!readLine(false).isEmpty()) { // trailer fields, not recorded
                    headBytes = 0;
                }
                return;
            }
            copy(size, body);
            if (in.read() != '\r' || in.read() != '\n') {
                throw new EOFException("chunk data not followed by CRLF");
            }
            headBytes = 0;
        }
    }

    private void copy(long length, Recorder body) throws IOException {
        byte[] buffer = new byte[8192];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException(left + " body bytes missing");
            }
            body.write(buffer, n);
            left -= n;
        }
    }

    /** A line without its CRLF (or bare LF); {@code null} at end of stream before its first byte if allowed. */
    private String readLine(boolean endAllowed) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (endAllowed && line.size() == 0) {
                    return null;
                }
                throw new EOFException("the connection ended inside a request head");
            }
            if (++headBytes > MAX_HEAD) {
                throw new IOException("request head larger than " + MAX_HEAD + " bytes");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            endAllowed = false;
        }
    }

    private static String last(Head head, String name) {
        String value = null;
        for (RecordedRequest.Field f : head.fields()) {
            if (f.name().equalsIgnoreCase(name)) {
                value = f.value();
            }
        }
        return value;
    }

    private static String lastCoding(String transferEncoding) {
        return transferEncoding.substring(transferEncoding.lastIndexOf(',') + 1).strip();
    }

    private static String strip(String value) {
        int from = 0;
        int to = value.length();
        while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
            to--;
        }
        return value.substring(from, to);
    }

    /** Keeps the first {@code max} bytes and counts the rest. */
    private static final class Recorder {
        private final long max;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private long size;

        Recorder(long max) {
            this.max = max;
        }

        void write(byte[] b, int n) {
            long room = Math.max(0, max - kept.size());
            kept.write(b, 0, (int) Math.min(room, n));
            size += n;
        }

        Body ended(boolean complete) {
            return new Body(kept.toByteArray(), size, complete);
        }
    }
}
