package dev.weft.http;

/**
 * A request the server refuses, with the status and the one-line reason the client is told.
 *
 * <p>Parsers throw it; the connection loop turns it into a small {@code text/plain} response in one
 * place. The message is written for the client and never contains a stack trace or echoed markup.
 * {@link #closesConnection()} is true where the byte stream can no longer be trusted (any framing
 * error), so the connection is never reused after it.
 */
public final class HttpException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final boolean closesConnection;

    private HttpException(int status, String clientMessage, boolean closesConnection) {
        super(clientMessage, null, false, false);
        this.status = status;
        this.closesConnection = closesConnection;
    }

    /** A malformed request: 400, and the connection is closed (its framing is unknown). */
    public static HttpException badRequest(String reason) {
        return new HttpException(400, reason, true);
    }

    /** A refusal with the given status after which the connection is closed. */
    public static HttpException closing(int status, String reason) {
        return new HttpException(status, reason, true);
    }

    /** A refusal with the given status after which the connection may serve the next request. */
    public static HttpException keepingConnection(int status, String reason) {
        return new HttpException(status, reason, false);
    }

    /** The HTTP status code to answer with. */
    public int status() {
        return status;
    }

    /** The reason, one line, safe to send to the client. */
    public String clientMessage() {
        return getMessage();
    }

    /** Whether the connection must be closed after the error response. */
    public boolean closesConnection() {
        return closesConnection;
    }
}
