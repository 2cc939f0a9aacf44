package dev.weft.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Reads a header (or trailer) section: field lines up to the empty line, each
 * {@code name ":" OWS value OWS}, strictly.
 *
 * <p>Rejected with 400: whitespace before the colon or at the start of a line (obs-fold), a name
 * that is not a token, control characters (NUL, bare CR, ...) in a value. Over the size or count
 * limit: 431. Socket-free: it reads an {@link HttpInput}.
 */
final class HeaderParser {

    /** Field names most requests carry, spelled as most clients send them: no new String for these. */
    private static final String[] COMMON_NAMES = {"Host", "User-Agent", "Accept", "Accept-Encoding", "Connection",
        "Content-Length", "Content-Type", "Transfer-Encoding", "Expect", "Cookie", "Authorization"};

    private HeaderParser() {
    }

    /**
     * Reads fields into {@code into} until the empty line.
     *
     * @param maxSize  the most bytes all field lines may take, CRLFs included
     * @param maxCount the most fields
     * @param what     "header" or "trailer", for messages
     */
    static void read(HttpInput in, Headers into, int maxSize, int maxCount, String what) throws IOException {
        Supplier<HttpException> tooLarge = () -> HttpException.closing(431, what + " section too large");
        int used = 0;
        while (true) {
            int end = in.nextLine(Math.max(0, maxSize - used - 2), tooLarge);
            if (end < 0) {
                throw HttpException.badRequest("connection closed in the " + what + " section");
            }
            int start = in.position();
            if (end == start) {
                in.skipLine(end);
                return;
            }
            used += end - start + 2;
            if (into.size() == maxCount) {
                throw HttpException.closing(431, "more than " + maxCount + " " + what + " fields");
            }
            parseField(in.buffer(), start, end, into, what);
            in.skipLine(end);
        }
    }

    /** Parses the field line {@code b[from, to)} (not empty, CRLF excluded) into {@code into}. */
    static void parseField(byte[] b, int from, int to, Headers into, String what) {
        if (isOws(b[from])) {
            throw HttpException.badRequest("obsolete line folding in the " + what + " section");
        }
        int colon = from;
        while (colon < to && b[colon] != ':') {
            colon++;
        }
        if (colon == to) {
            throw HttpException.badRequest(what + " field without a colon");
        }
        if (!Tokens.isToken(b, from, colon)) {
            throw HttpException.badRequest(colon > from && isOws(b[colon - 1])
                    ? "whitespace before the colon in a " + what + " field"
                    : "invalid " + what + " field name");
        }
        int start = colon + 1;
        int end = to;
        while (start < end && isOws(b[start])) {
            start++;
        }
        while (end > start && isOws(b[end - 1])) {
            end--;
        }
        for (int i = start; i < end; i++) {
            if (!Tokens.isFieldValueChar((char) (b[i] & 0xff))) {
                throw HttpException.badRequest("control character in the value of " + what + " field "
                        + latin1(b, from, colon));
            }
        }
        into.add(name(b, from, colon), latin1(b, start, end));
    }

    /** The field name as one of {@link #COMMON_NAMES} when spelled exactly so, else a new String. */
    private static String name(byte[] b, int from, int to) {
        int length = to - from;
        for (String known : COMMON_NAMES) {
            if (known.length() == length && matches(known, b, from)) {
                return known;
            }
        }
        return latin1(b, from, to);
    }

    private static boolean matches(String known, byte[] b, int from) {
        for (int i = 0; i < known.length(); i++) {
            if (b[from + i] != known.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String latin1(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static boolean isOws(byte c) {
        return c == ' ' || c == '\t';
    }
}
