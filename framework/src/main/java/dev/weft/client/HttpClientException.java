package dev.weft.client;

import java.io.IOException;

/**
 * An HTTP exchange failed; {@link #kind()} says how, {@link #phase()} at which step, the message
 * says where (method and URI) and, for a limit or timeout, which one.
 */
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
        /**
         * The exchange's total timeout (the client's, or the one given to
         * {@link HttpClient#send(ClientRequest, java.time.Duration)}) ran out; {@link #phase()} says
         * during which step, and the message names it.
         */
        TOTAL_TIMEOUT,
        /**
         * The response body is larger than the client's limit ({@link HttpClient#withMaxResponseBody}):
         * declared so by {@code Content-Length} (then {@code send} fails before reading the body) or
         * found while reading it. The message names the limit; the connection is closed.
         */
        BODY_TOO_LARGE,
        /** The response is not valid HTTP/1.1. */
        MALFORMED_RESPONSE,
        /** Any other I/O failure, for example a reset in the middle of the response. */
        IO
    }

    /** The steps of an exchange, in order: where it was when it failed. */
    public enum Phase {
        /** Waiting for a pooled connection (the endpoint at {@code maxPerEndpoint}). */
        BORROW("waiting for a pooled connection"),
        /** Resolving the host name, for a new connection. */
        LOOKUP("resolving the host"),
        /** Connecting (and the TLS handshake), for a new connection. */
        CONNECT("connecting"),
        /** Writing the request head and body. */
        WRITE("writing the request"),
        /** Waiting for and reading the response head. */
        HEAD("waiting for the response head"),
        /** Reading the response body. */
        BODY("reading the response body");

        private final String doing;

        Phase(String doing) {
            this.doing = doing;
        }

        /** What the client was doing, for messages: "waiting for a pooled connection". */
        public String doing() {
            return doing;
        }
    }

    private final Kind kind;
    private final Phase phase;

    HttpClientException(Kind kind, Phase phase, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.phase = phase;
    }

    public Kind kind() {
        return kind;
    }

    public Phase phase() {
        return phase;
    }
}
