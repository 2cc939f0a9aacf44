package dev.weft.proxy;

/**
 * Why one attempt to forward a request failed before any byte of a response reached the client,
 * so that it may still go to another server, or be answered with a 502 or 504.
 *
 * @param kind   what went wrong
 * @param cause  a short description for the log, naming neither client nor server
 * @param reused whether it happened on a kept-alive connection before any response byte: perhaps
 *               only a stale connection the server had closed, not a fault of the server
 */
record Failure(Kind kind, String cause, boolean reused) {

    enum Kind {
        CONNECT_ERROR(502, ReverseProxy.NextUpstream.ERROR),
        CONNECT_TIMEOUT(504, ReverseProxy.NextUpstream.TIMEOUT),
        SEND_ERROR(502, ReverseProxy.NextUpstream.ERROR),
        SEND_TIMEOUT(504, ReverseProxy.NextUpstream.TIMEOUT),
        READ_ERROR(502, ReverseProxy.NextUpstream.ERROR),
        READ_TIMEOUT(504, ReverseProxy.NextUpstream.TIMEOUT),
        INVALID_HEADER(502, ReverseProxy.NextUpstream.INVALID_HEADER),
        /** The server answered with a status that {@code proxy_next_upstream} names (http_502 ...). */
        STATUS(502, null),
        NO_UPSTREAM(502, null);

        final int status;
        final ReverseProxy.NextUpstream condition;

        Kind(int status, ReverseProxy.NextUpstream condition) {
            this.status = status;
            this.condition = condition;
        }
    }

    /** Whether the request provably never reached the server: it may go elsewhere whatever its method. */
    boolean neverSent() {
        return kind == Kind.CONNECT_ERROR || kind == Kind.CONNECT_TIMEOUT;
    }

    /** Whether it counts against the server's {@code max_fails}. */
    boolean serverFault() {
        return kind != Kind.NO_UPSTREAM && kind != Kind.STATUS && !reused;
    }

    /** Whether a kept-alive connection failed the way a stale one does (reset, closed), not by timing out. */
    boolean staleConnection() {
        return reused && (kind == Kind.SEND_ERROR || kind == Kind.READ_ERROR);
    }
}
