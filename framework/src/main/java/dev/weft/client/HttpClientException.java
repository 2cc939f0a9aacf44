package dev.weft.client;

import java.io.IOException;

/** An HTTP exchange failed; {@link #kind()} says how, the message says where. */
public final class HttpClientException extends IOException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, from the caller's point of view. */
    public enum Kind {
        /** Nothing listens there (ECONNREFUSED), or no address worked. */
        CONNECT_REFUSED,
        /** The connect did not complete within the connect timeout. */
        CONNECT_TIMEOUT,
        /** The name did not resolve. */
        UNKNOWN_HOST,
        /** No pooled connection came free within the borrow timeout. */
        POOL_EXHAUSTED,
        /** The server reset the connection before any byte of the response. */
        RESET_BEFORE_RESPONSE,
        /** The server closed the connection before any byte of the response. */
        CLOSED_BEFORE_RESPONSE,
        /** A read waited longer than the read timeout. */
        READ_TIMEOUT,
        /** Writing the request made no progress for the pool's write timeout: the server stopped reading. */
        WRITE_TIMEOUT,
        /** The whole exchange took longer than the total timeout. */
        TOTAL_TIMEOUT,
        /** The response is not valid HTTP/1.1. */
        MALFORMED_RESPONSE,
        /** Any other I/O failure, for example a reset in the middle of the response. */
        IO
    }

    private final Kind kind;

    HttpClientException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
