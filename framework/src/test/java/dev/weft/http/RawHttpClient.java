package dev.weft.http;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A raw HTTP/1.1 client over one blocking socket on 127.0.0.1: sends bytes exactly as given and
 * reads exactly one response at a time, framed the way RFC 9112 section 6.3 says a client must
 * (no body for HEAD, 1xx, 204 and 304; then chunked; then Content-Length; else until close). Every
 * read has a 10 s socket timeout, so a server that never answers fails the test instead of hanging
 * it. Line endings of the response are checked strictly: a bare LF fails the test.
 */
final class RawHttpClient implements AutoCloseable {

    static final int TIMEOUT_MILLIS = 10_000;
    /** Longest response line or chunk-size line accepted, so a runaway response fails fast. */
    private static final int MAX_LINE = 16 * 1024;
    /** Largest response body and most fields accepted: every read loop here ends. */
    private static final int MAX_BODY = 16 * 1024 * 1024;
    private static final int MAX_FIELDS = 1000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawHttpClient connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
            return new RawHttpClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    static RawHttpClient connect(HttpServer server) throws IOException {
        return connect(server.port());
    }

    /** The request line and field lines joined with CRLF, ending with the empty line. */
    static String head(String... lines) {
        return String.join("\r\n", lines) + "\r\n\r\n";
    }

    /** Bytes of {@code text}, one per char (ISO-8859-1), so any octet can be written as a char. */
    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    Socket socket() {
        return socket;
    }

    RawHttpClient send(byte[] data) throws IOException {
        out.write(data);
        out.flush();
        return this;
    }

    /** Sends {@code text} as ISO-8859-1. */
    RawHttpClient send(String text) throws IOException {
        return send(latin1(text));
    }

    /** Sends FIN: the server reads end of stream after what was sent. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Reads the next response to a request that is not HEAD. */
    RawResponse readResponse() throws IOException {
        return readResponse(false);
    }

    /**
     * Reads the next response: status line, fields, and the body as RFC 9112 section 6.3 frames it.
     * A 1xx response is returned on its own (read again for the final one).
     *
     * @param toHead whether the request was HEAD (then there is no body whatever the fields say)
     */
    RawResponse readResponse(boolean toHead) throws IOException {
        String statusLine = readLine("status line");
        if (statusLine == null) {
            throw new AssertionError("connection closed before a response began");
        }
        if (!statusLine.matches("HTTP/1\\.[01] \\d{3} .*")) {
            throw new AssertionError("malformed status line: " + statusLine);
        }
        String version = statusLine.substring(0, 8);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        String reason = statusLine.substring(13);
        List<String[]> fields = readFields("header");
        RawResponse.Builder r = new RawResponse.Builder(statusLine, version, status, reason, fields);
        if (toHead || status < 200 || status == 204 || status == 304) {
            return r.build();
        }
        String te = RawResponse.first(fields, "Transfer-Encoding");
        String cl = RawResponse.first(fields, "Content-Length");
        if (te != null) {
            if (!te.equalsIgnoreCase("chunked")) {
                throw new AssertionError("unexpected Transfer-Encoding: " + te);
            }
            if (cl != null) {
                throw new AssertionError("both Transfer-Encoding and Content-Length in a response");
            }
            readChunked(r);
        } else if (cl != null) {
            if (RawResponse.all(fields, "Content-Length").size() != 1 || !cl.matches("\\d{1,18}")) {
                throw new AssertionError("malformed Content-Length in a response: " + RawResponse.all(fields,
                        "Content-Length"));
            }
            long length = Long.parseLong(cl);
            if (length > MAX_BODY) {
                throw new AssertionError("response body too large for a test: " + length);
            }
            byte[] body = in.readNBytes((int) length);
            if (body.length != length) {
                throw new AssertionError("connection closed after " + body.length + " of " + length + " body bytes");
            }
            r.body = body;
        } else {
            r.body = in.readNBytes(MAX_BODY + 1);
            if (r.body.length > MAX_BODY) {
                throw new AssertionError("close-delimited response body over " + MAX_BODY + " bytes");
            }
            r.closeDelimited = true;
        }
        return r.build();
    }

    /**
     * Waits up to the socket timeout for the server to close: true on end of stream, and on a reset
     * (which can only come after the response was read completely, since that was read first).
     *
     * @throws AssertionError if bytes arrive instead, or nothing happens within the timeout
     */
    boolean awaitClose() throws IOException {
        try {
            int b = in.read();
            if (b >= 0) {
                byte[] more = in.readNBytes(Math.min(in.available(), 200));
                throw new AssertionError("expected the server to close, but it sent more: "
                        + new String(new byte[] {(byte) b}, StandardCharsets.ISO_8859_1)
                        + new String(more, StandardCharsets.ISO_8859_1));
            }
            return true;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + TIMEOUT_MILLIS + " ms");
        } catch (SocketException e) {
            return true; // a reset after the whole response: the connection is closed
        }
    }

    /** Every byte until the server closes (tolerating a reset at the end). */
    byte[] readToClose() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                all.write(buf, 0, n);
                if (all.size() > MAX_BODY) {
                    throw new AssertionError("more than " + MAX_BODY + " bytes before the close");
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + TIMEOUT_MILLIS + " ms");
        } catch (SocketException e) {
            // reset at the end: what came before stands
        }
        return all.toByteArray();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    private void readChunked(RawResponse.Builder r) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int chunks = 0;
        while (true) {
            String sizeLine = readLine("chunk size");
            if (sizeLine == null) {
                throw new AssertionError("connection closed before the last chunk, after " + body.size()
                        + " bytes: " + body.toString(StandardCharsets.ISO_8859_1));
            }
            if (!sizeLine.matches("[0-9a-fA-F]{1,15}")) {
                throw new AssertionError("malformed chunk size line: " + sizeLine);
            }
            long size = Long.parseLong(sizeLine, 16);
            if (size == 0) {
                break;
            }
            if (body.size() + size > MAX_BODY) {
                throw new AssertionError("chunked response body over " + MAX_BODY + " bytes");
            }
            chunks++;
            byte[] data = in.readNBytes((int) size);
            if (data.length != size) {
                throw new AssertionError("connection closed inside a chunk");
            }
            body.write(data);
            if (in.read() != '\r' || in.read() != '\n') {
                throw new AssertionError("chunk data not followed by CRLF");
            }
        }
        r.trailers = readFields("trailer");
        r.body = body.toByteArray();
        r.chunked = true;
        r.chunks = chunks;
    }

    private List<String[]> readFields(String what) throws IOException {
        List<String[]> fields = new ArrayList<>();
        while (true) {
            String line = readLine(what);
            if (line == null) {
                throw new AssertionError("connection closed in the " + what + " section");
            }
            if (line.isEmpty()) {
                return fields;
            }
            if (fields.size() == MAX_FIELDS) {
                throw new AssertionError("more than " + MAX_FIELDS + " " + what + " fields");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !Tokens.isToken(line, 0, colon)) {
                throw new AssertionError("malformed " + what + " field: " + line);
            }
            fields.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
        }
    }

    /** One CRLF-terminated line without the CRLF, or null at end of stream before its first byte. */
    private String readLine(String what) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) {
                    return null;
                }
                throw new AssertionError("connection closed in the middle of a " + what + " line: "
                        + line.toString(StandardCharsets.ISO_8859_1));
            }
            if (b == '\n') {
                fail("bare LF in a " + what + " line: " + line.toString(StandardCharsets.ISO_8859_1));
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    fail("bare CR in a " + what + " line: " + line.toString(StandardCharsets.ISO_8859_1));
                }
                return line.toString(StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            if (line.size() > MAX_LINE) {
                fail(what + " line longer than " + MAX_LINE + " bytes");
            }
        }
    }

    /** One response as read from the wire. */
    static final class RawResponse {

        final String statusLine;
        final String version;
        final int status;
        final String reason;
        final List<String[]> fields;
        final List<String[]> trailers;
        final byte[] body;
        final boolean chunked;
        final int chunks;
        final boolean closeDelimited;

        private RawResponse(Builder b) {
            this.statusLine = b.statusLine;
            this.version = b.version;
            this.status = b.status;
            this.reason = b.reason;
            this.fields = List.copyOf(b.fields);
            this.trailers = List.copyOf(b.trailers);
            this.body = b.body;
            this.chunked = b.chunked;
            this.chunks = b.chunks;
            this.closeDelimited = b.closeDelimited;
        }

        /** The first value of field {@code name} (any case), or null. */
        String header(String name) {
            return first(fields, name);
        }

        /** Every value of field {@code name}, in order. */
        List<String> headers(String name) {
            return all(fields, name);
        }

        boolean has(String name) {
            return header(name) != null;
        }

        /** Whether field {@code name}, as a comma-separated list, holds {@code token} (any case). */
        boolean hasToken(String name, String token) {
            for (String value : headers(name)) {
                for (String element : value.split(",")) {
                    if (element.strip().equalsIgnoreCase(token)) {
                        return true;
                    }
                }
            }
            return false;
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The field names in order, lower case. */
        List<String> fieldNames() {
            return fields.stream().map(f -> f[0].toLowerCase(Locale.ROOT)).toList();
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(statusLine).append('\n');
            for (String[] f : fields) {
                b.append(f[0]).append(": ").append(f[1]).append('\n');
            }
            String text = new String(body, StandardCharsets.ISO_8859_1);
            return b.append('\n').append(text.length() > 300 ? text.substring(0, 300) + "..." : text).toString();
        }

        static String first(List<String[]> fields, String name) {
            for (String[] f : fields) {
                if (f[0].equalsIgnoreCase(name)) {
                    return f[1];
                }
            }
            return null;
        }

        static List<String> all(List<String[]> fields, String name) {
            List<String> values = new ArrayList<>();
            for (String[] f : fields) {
                if (f[0].equalsIgnoreCase(name)) {
                    values.add(f[1]);
                }
            }
            return values;
        }

        private static final class Builder {
            private final String statusLine;
            private final String version;
            private final int status;
            private final String reason;
            private final List<String[]> fields;
            private List<String[]> trailers = List.of();
            private byte[] body = new byte[0];
            private boolean chunked;
            private int chunks;
            private boolean closeDelimited;

            Builder(String statusLine, String version, int status, String reason, List<String[]> fields) {
                this.statusLine = statusLine;
                this.version = version;
                this.status = status;
                this.reason = reason;
                this.fields = fields;
            }

            RawResponse build() {
                return new RawResponse(this);
            }
        }
    }
}
