package dev.weft.tcp;

/**
 * Why a connection ended. Each cause is counted in {@code weft.tcp.connections.closed{cause=<tag>}}.
 *
 * <p>The server decides the cause once per connection, in this order: a cause forced by the server
 * (a timeout it enforced, its shutdown), then the exception the handler ended with or the first I/O
 * failure its streams saw, then end-of-stream from the peer, and otherwise {@link #COMPLETED}.
 * Failures are told apart by their type ({@link NetworkException}, {@link java.net.SocketTimeoutException},
 * {@link javax.net.ssl.SSLException}), never by their message.
 */
public enum CloseCause {
    /** The handler returned after the peer closed its side (read returned end-of-stream). */
    PEER_CLOSED("peer_closed"),
    /** The handler returned on its own, before the peer closed. */
    COMPLETED("completed"),
    /** The peer reset the connection ({@link NetworkException.Kind#RESET}). */
    RESET("reset"),
    /** A write failed because the peer had already gone ({@link NetworkException.Kind#BROKEN_PIPE}). */
    BROKEN_PIPE("broken_pipe"),
    /**
     * The network failed under the connection: the kernel gave up on a peer that stopped answering
     * keep-alive probes or retransmissions, the peer's host or network became unreachable, or the
     * kernel aborted the connection (any other {@link NetworkException.Kind}).
     */
    NETWORK_ERROR("network_error"),
    /** A read blocked for longer than the idle timeout, or a socket read timeout fired. */
    READ_TIMEOUT("read_timeout"),
    /** A write made no progress for longer than the write timeout: the peer stopped reading. */
    WRITE_TIMEOUT("write_timeout"),
    /**
     * A write waited on the peer longer than its {@linkplain Connection#minSendRate minimum send
     * rate} allows: the peer takes bytes, but too slowly (a slow-read attack, or a hopeless link).
     */
    SLOW_READER("slow_reader"),
    /** The TLS handshake failed (bad client hello, no shared cipher, untrusted certificate) or a TLS record was bad. */
    TLS_ERROR("tls_error"),
    /** The connection did not begin with the PROXY protocol header the server expects, or a bad one. */
    PROTOCOL_ERROR("protocol_error"),
    /** Accepted while the server was at its connection limit, and closed at once (reject mode). */
    LIMIT("limit"),
    /** Closed by the server's shutdown. */
    SHUTDOWN("shutdown"),
    /**
     * The handler threw something other than a peer, network or timeout failure, or the
     * connection's thread could not be started: the one cause logged at WARNING, with the stack
     * trace.
     */
    HANDLER_ERROR("handler_error");

    private final String tag;

    CloseCause(String tag) {
        this.tag = tag;
    }

    /** The value of the {@code cause} tag on the {@code weft.tcp.connections.closed} counter. */
    public String tag() {
        return tag;
    }
}
