package dev.weft.bench.servers;

import java.nio.charset.StandardCharsets;

/** What a server under test speaks, and the fixed messages of the HTTP workload. */
public enum Protocol {
    /** Every byte read is written back unchanged. */
    ECHO,
    /** HTTP/1.1 keep-alive; {@code GET /hello} answers 200 with {@link #HELLO_BODY}. */
    HTTP,
    /**
     * HTTP as {@link #HTTP}, through a reverse proxy: the server under test forwards each
     * {@code GET /hello} to one {@code netty-http} backend of its own ({@code direct}: the backend
     * itself, as a reference). Only wrk loads it.
     */
    PROXY,
    /**
     * HTTP through a forward proxy: wrk sends absolute-form requests
     * ({@code GET http://127.0.0.1:BACKEND/hello}) to the proxy, which goes to one {@code netty-http}
     * backend of its own; and 100 MiB uploads through a {@code CONNECT} tunnel to a sink. {@code direct}:
     * {@code GET /hello} straight to the backend, the uploads straight to the sink.
     */
    FORWARD,
    /**
     * Echo through a TCP proxy: the load client's 64-byte ping-pong goes to the server under test,
     * which relays each connection, byte for byte, to one {@code netty} echo backend of its own
     * ({@code direct}: the backend itself, as a reference). The load client speaks {@link #ECHO}.
     */
    TCP_PROXY;

    /** The HTTP servers' answer to {@code GET /hello}: the same 13 bytes from every server. */
    public static final byte[] HELLO_BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    /** The request the load client sends, again and again, on each connection. */
    public static final byte[] HELLO_REQUEST = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    /**
     * Whether its servers are proxies in front of a backend of their own ({@link #PROXY},
     * {@link #FORWARD}, {@link #TCP_PROXY}): the scenarios {@code direct} is the reference of, whose
     * figures have tables of their own.
     */
    public boolean proxied() {
        return this == PROXY || this == FORWARD || this == TCP_PROXY;
    }
}
