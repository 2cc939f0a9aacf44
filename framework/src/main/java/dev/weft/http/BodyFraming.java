package dev.weft.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a request's body is delimited (RFC 9112 section 6), decided strictly: this is where request
 * smuggling lives, so every ambiguity is refused and the connection closed.
 *
 * <ul>
 * <li>{@code Transfer-Encoding} and {@code Content-Length} together: 400.</li>
 * <li>{@code Transfer-Encoding} on HTTP/1.0: 400.</li>
 * <li>{@code Transfer-Encoding} whose codings are not exactly {@code chunked}: 400 when the final
 *     coding is not chunked, chunked repeats or carries parameters; otherwise 501 for a coding this
 *     server does not decode.</li>
 * <li>{@code Content-Length} not all digits, or several differing values: 400.</li>
 * </ul>
 *
 * @param chunked whether the body is chunked
 * @param length  the body length for a fixed-length body, 0 for none, -1 when chunked
 */
record BodyFraming(boolean chunked, long length) {

    static final BodyFraming NONE = new BodyFraming(false, 0);
    static final BodyFraming CHUNKED = new BodyFraming(true, -1);

    private static final Set<String> KNOWN_CODINGS = Set.of("chunked", "gzip", "x-gzip", "deflate", "compress",
            "x-compress");
    /** 19 digits may already overflow a long; no body is that large anyway. */
    private static final int MAX_LENGTH_DIGITS = 18;

    static BodyFraming of(RequestHead head) {
        Headers headers = head.headers();
        List<String> te = headers.all("Transfer-Encoding");
        List<String> cl = headers.all("Content-Length");
        if (!te.isEmpty()) {
            if (!cl.isEmpty()) {
                throw HttpException.badRequest("both Transfer-Encoding and Content-Length");
            }
            if (!head.isHttp11()) {
                throw HttpException.badRequest("Transfer-Encoding in an HTTP/1.0 request");
            }
            return transferCoding(te);
        }
        long length = contentLength(cl);
        return length <= 0 ? NONE : new BodyFraming(false, length);
    }

    /**
     * The length the {@code Content-Length} fields give: digits only, a list of equal values
     * allowed (RFC 9110 section 8.6); -1 when there are none.
     *
     * @throws HttpException 400 for anything else, 413 for a number of more than 18 digits
     */
    static long contentLength(List<String> fields) {
        long length = -1;
        for (String field : fields) {
            for (String element : field.split(",", -1)) {
                long value = parseLength(element.strip());
                if (length >= 0 && value != length) {
                    throw HttpException.badRequest("conflicting Content-Length values");
                }
                length = value;
            }
        }
        return length;
    }

    private static BodyFraming transferCoding(List<String> fields) {
        List<String> codings = new ArrayList<>(2);
        for (String field : fields) {
            for (String element : field.split(",", -1)) {
                String coding = element.strip();
                int params = coding.indexOf(';');
                String name = (params < 0 ? coding : coding.substring(0, params)).strip();
                if (!Tokens.isToken(name)) {
                    throw HttpException.badRequest("malformed Transfer-Encoding");
                }
                if (params >= 0 && name.equalsIgnoreCase("chunked")) {
                    // chunked defines no parameters, and these were never checked: refuse, do not guess.
                    throw HttpException.badRequest("parameters on chunked");
                }
                codings.add(name.toLowerCase(java.util.Locale.ROOT));
            }
        }
        // RFC 9112 section 6.3 makes a final coding other than chunked a 400 (MUST), whatever the
        // coding; the 501 for a coding we do not decode (SHOULD) applies only once framing is sound.
        if (!codings.get(codings.size() - 1).equals("chunked")) {
            throw HttpException.badRequest("Transfer-Encoding must end in chunked");
        }
        if (codings.indexOf("chunked") != codings.size() - 1) {
            throw HttpException.badRequest("chunked applied more than once");
        }
        for (String coding : codings) {
            if (!KNOWN_CODINGS.contains(coding)) {
                throw HttpException.closing(501, "transfer coding " + coding + " is not implemented");
            }
        }
        if (codings.size() > 1) {
            throw HttpException.closing(501, "transfer coding " + codings.get(0) + " is not implemented");
        }
        return CHUNKED;
    }

    /**
     * {@code 1*DIGIT} (RFC 9110 section 8.6), leading zeros and all. A valid number too large for a
     * long is a 413, not a framing error: it only says the body is larger than any limit.
     */
    private static long parseLength(String s) {
        if (s.isEmpty()) {
            throw HttpException.badRequest("invalid Content-Length");
        }
        long value = 0;
        int significant = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw HttpException.badRequest("invalid Content-Length");
            }
            if (value > 0 || c != '0') {
                significant++;
            }
            if (significant <= MAX_LENGTH_DIGITS) {
                value = value * 10 + (c - '0');
            }
        }
        if (significant > MAX_LENGTH_DIGITS) {
            throw HttpException.closing(413, "Content-Length too large");
        }
        return value;
    }
}
