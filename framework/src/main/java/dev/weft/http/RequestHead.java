package dev.weft.http;

/**
 * A parsed request line and header section, before any body byte is read.
 *
 * @param method  the method token, case-sensitive as sent (e.g. {@code GET})
 * @param target  the request-target exactly as sent
 * @param form    which of the four request-target forms it is
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param headers the header fields, read-only
 */
public record RequestHead(String method, String target, TargetForm form, String version, Headers headers) {

    /** The shapes a request-target can take (RFC 9112, section 3.2). */
    public enum TargetForm {
        /** {@code /path?query}: the usual form. */
        ORIGIN,
        /** {@code http://host/path}: sent to proxies. */
        ABSOLUTE,
        /** {@code host:port}: CONNECT only. */
        AUTHORITY,
        /** {@code *}: OPTIONS only. */
        ASTERISK
    }

    /** Whether this is HTTP/1.1 (as opposed to 1.0). */
    public boolean isHttp11() {
        return "HTTP/1.1".equals(version);
    }
}
