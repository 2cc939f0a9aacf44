package dev.weft.http;

/**
 * A parsed status line and header section of a response, as a client or a proxy reads it.
 *
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param status  the three-digit status code
 * @param reason  the reason phrase, possibly empty
 * @param headers the header fields, read-only
 */
public record ResponseHead(String version, int status, String reason, Headers headers) {

    /** Whether the server lets the connection carry another request (RFC 9112 section 9.3). */
    public boolean keepAlive() {
        if (headers.containsToken("Connection", "close")) {
            return false;
        }
        return "HTTP/1.1".equals(version) || headers.containsToken("Connection", "keep-alive");
    }

    /** 1xx: an interim response, another follows. */
    public boolean isInterim() {
        return status >= 100 && status < 200;
    }
}
