package dev.weft.examples.lb;

/**
 * A {@code return CODE [TEXT];} (or {@code return URL;}, which is a 302): the answer is made here,
 * nothing is proxied. For 301, 302, 303, 307 and 308 the text is the {@code Location} URL
 * ({@link #isRedirect()}); for other codes it is the response body. nginx's own code 444 closes the
 * connection without answering.
 *
 * @param code the status, 0 to 999 as nginx allows
 * @param text the URL or body, evaluated per request, or null when none was given
 * @param line the line of the {@code return} directive
 */
public record Return(int code, Value text, int line) {

    public Return {
        if (code < 0 || code > 999) {
            throw new IllegalArgumentException("code must be 0 to 999, was " + code);
        }
    }

    /** True for 301, 302, 303, 307 and 308, where {@link #text()} is the redirect's URL. */
    public boolean isRedirect() {
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }
}
