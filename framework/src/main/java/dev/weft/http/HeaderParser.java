package dev.weft.http;

import java.io.IOException;
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
            String line = in.readLine(Math.max(0, maxSize - used - 2), tooLarge);
            if (line == null) {
                throw HttpException.badRequest("connection closed in the " + what + " section");
            }
            if (line.isEmpty()) {
                return;
            }
            used += line.length() + 2;
            if (into.size() == maxCount) {
                throw HttpException.closing(431, "more than " + maxCount + " " + what + " fields");
            }
            parseField(line, into, what);
        }
    }

    static void parseField(String line, Headers into, String what) {
        char first = line.charAt(0);
        if (first == ' ' || first == '\t') {
            throw HttpException.badRequest("obsolete line folding in the " + what + " section");
        }
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw HttpException.badRequest(what + " field without a colon");
        }
        if (!Tokens.isToken(line, 0, colon)) {
            char before = line.charAt(Math.max(0, colon - 1));
            throw HttpException.badRequest(colon > 0 && (before == ' ' || before == '\t')
                    ? "whitespace before the colon in a " + what + " field"
                    : "invalid " + what + " field name");
        }
        int start = colon + 1;
        int end = line.length();
        while (start < end && isOws(line.charAt(start))) {
            start++;
        }
        while (end > start && isOws(line.charAt(end - 1))) {
            end--;
        }
        for (int i = start; i < end; i++) {
            if (!Tokens.isFieldValueChar(line.charAt(i))) {
                throw HttpException.badRequest("control character in the value of " + what + " field "
                        + line.substring(0, colon));
            }
        }
        into.add(RequestHeadParser.common(line, 0, colon, COMMON_NAMES), line.substring(start, end));
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }
}
