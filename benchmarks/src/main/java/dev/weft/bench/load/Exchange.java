package dev.weft.bench.load;

import dev.weft.bench.servers.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One request and its checked reply on one connection, for each protocol. Not thread-safe: one
 * per connection.
 */
abstract sealed class Exchange permits Exchange.Echo, Exchange.Http {

    final InputStream in;
    final OutputStream out;

    Exchange(Socket socket) throws IOException {
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** The exchange for {@code options.protocol()} on connection number {@code conn}. */
    static Exchange of(LoadOptions options, int conn, Socket socket) throws IOException {
        return options.protocol() == Protocol.ECHO ? new Echo(socket, conn, options.payload()) : new Http(socket);
    }

    /** Sends message {@code seq} and reads its whole reply; throws {@link BadReply} if it was wrong. */
    abstract void roundTrip(long seq) throws IOException;

    /** The reply was not the one expected. */
    static final class BadReply extends IOException {
        private static final long serialVersionUID = 1L;

        BadReply(String message) {
            super(message);
        }
    }

    /** Writes a payload unique to this connection and message; the reply must be the same bytes. */
    static final class Echo extends Exchange {
        private final int conn;
        private final byte[] sent;
        private final byte[] received;

        Echo(Socket socket, int conn, int payload) throws IOException {
            super(socket);
            this.conn = conn;
            this.sent = new byte[payload];
            this.received = new byte[payload];
        }

        @Override
        void roundTrip(long seq) throws IOException {
            Payloads.fill(sent, conn, seq);
            out.write(sent);
            int n = in.readNBytes(received, 0, received.length);
            if (n != received.length) {
                throw new BadReply("reply ended after " + n + " of " + received.length + " bytes");
            }
            if (!Arrays.equals(sent, received)) {
                throw new BadReply("reply differs from the message at byte " + Arrays.mismatch(sent, received));
            }
        }
    }

    /**
     * Sends {@code GET /hello} (or another request for the hello body, such as a forward proxy's
     * absolute-form one) and reads the response: a {@code 200} status line, headers up to the empty
     * line, a {@code Content-Length} body that must be {@link Protocol#HELLO_BODY}. No byte may
     * follow it (nothing was pipelined).
     */
    static final class Http extends Exchange {
        private static final int MAX_RESPONSE = 4096;
        private static final byte[] STATUS_OK = "HTTP/1.1 200 ".getBytes(StandardCharsets.US_ASCII);
        /** Lower case: {@link #startsWith} matches either case in the input. */
        private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
        private final byte[] buf = new byte[MAX_RESPONSE];
        private final byte[] request;

        Http(Socket socket) throws IOException {
            this(socket, Protocol.HELLO_REQUEST);
        }

        Http(Socket socket, byte[] request) throws IOException {
            super(socket);
            this.request = request;
        }

        @Override
        void roundTrip(long seq) throws IOException {
            out.write(request);
            int filled = 0;
            int headEnd = -1;
            while (headEnd < 0) {
                int n = in.read(buf, filled, buf.length - filled);
                if (n < 0) {
                    throw new BadReply("connection closed after " + filled + " bytes of the response");
                }
                int from = Math.max(0, filled - 3);
                filled += n;
                headEnd = indexOfBlankLine(buf, from, filled);
                if (headEnd < 0 && filled == buf.length) {
                    throw new BadReply("response head longer than " + MAX_RESPONSE + " bytes");
                }
            }
            if (!startsWith(buf, 0, headEnd, STATUS_OK)) {
                throw new BadReply("status line " + line(buf, 0, headEnd));
            }
            int length = contentLength(buf, headEnd);
            int bodyStart = headEnd + 4;
            int total = bodyStart + length;
            if (total > buf.length) {
                throw new BadReply("body of " + length + " bytes is not the hello body");
            }
            while (filled < total) {
                int n = in.read(buf, filled, total - filled);
                if (n < 0) {
                    throw new BadReply("connection closed inside the body");
                }
                filled += n;
            }
            if (filled != total) {
                throw new BadReply((filled - total) + " bytes after the response");
            }
            if (!Arrays.equals(buf, bodyStart, total, Protocol.HELLO_BODY, 0, Protocol.HELLO_BODY.length)) {
                throw new BadReply("unexpected body");
            }
        }

        private static int indexOfBlankLine(byte[] b, int from, int to) {
            for (int i = from; i + 3 < to; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        /**
         * The value of the Content-Length field in {@code b[0, headEnd)}, parsed in place: this
         * client shares the CPUs with the server under test, so it reads the head without a String
         * or a regex per response.
         */
        private static int contentLength(byte[] b, int headEnd) throws BadReply {
            for (int crlf = indexOfCrlf(b, 0, headEnd); crlf >= 0; ) { // crlf ends the line before this one
                int start = crlf + 2;
                crlf = indexOfCrlf(b, start, headEnd);
                int lineEnd = crlf < 0 ? headEnd : crlf;
                if (!startsWith(b, start, lineEnd, CONTENT_LENGTH)) {
                    continue;
                }
                int j = start + CONTENT_LENGTH.length;
                while (j < lineEnd && (b[j] == ' ' || b[j] == '\t')) {
                    j++;
                }
                long value = 0;
                int digits = 0;
                for (; j < lineEnd && b[j] >= '0' && b[j] <= '9' && digits < 10; j++, digits++) {
                    value = value * 10 + (b[j] - '0');
                }
                while (j < lineEnd && (b[j] == ' ' || b[j] == '\t')) {
                    j++;
                }
                if (digits == 0 || j != lineEnd || value > Integer.MAX_VALUE) {
                    throw new BadReply("bad Content-Length: " + line(b, start, headEnd));
                }
                return (int) value;
            }
            throw new BadReply("no Content-Length");
        }

        /** Whether {@code b[from, to)} starts with {@code prefix}, ASCII letters compared without case. */
        private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
            if (to - from < prefix.length) {
                return false;
            }
            for (int k = 0; k < prefix.length; k++) {
                byte c = b[from + k];
                byte p = prefix[k];
                if (c != p && !(p >= 'a' && p <= 'z' && c == p - ('a' - 'A'))) {
                    return false;
                }
            }
            return true;
        }

        /** The index of the next CRLF in {@code b[from, to)}, or -1. */
        private static int indexOfCrlf(byte[] b, int from, int to) {
            for (int i = from; i + 1 < to; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        /** The line that starts at {@code from}, for an error message. */
        private static String line(byte[] b, int from, int to) {
            int end = indexOfCrlf(b, from, to);
            return new String(b, from, (end < 0 ? to : end) - from, StandardCharsets.ISO_8859_1);
        }
    }
}
