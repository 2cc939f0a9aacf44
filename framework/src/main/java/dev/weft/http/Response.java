package dev.weft.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The answer to one request: set the status and headers, then either {@link #send(String)} a
 * whole body (sent with {@code Content-Length}) or write to {@link #stream()} (chunked, unless a
 * {@code Content-Length} header was set first). The head is sent with the first body byte; after
 * that the status and headers are fixed. Not thread-safe: it belongs to the connection's thread.
 *
 * <p>The server adds {@code Date}, the framing headers and {@code Connection: close} when the
 * connection will end. For HEAD requests, 204 and 304 no body bytes are sent whatever is written.
 * The body is buffered in small pieces and flushed at the end of the response (or sooner with
 * {@code stream().flush()}). An HTTP/1.0 client gets no chunked coding: a streamed body without a
 * length is ended by closing the connection.
 */
public final class Response {

    private final ResponseOutput out;
    private final boolean headRequest;
    private final boolean http11;
    private final BooleanSupplier keepAliveWanted;
    private final Headers headers = new Headers();
    private int status = 200;
    private boolean committed;
    private boolean keepAlive;
    private OutputStream body;
    private long bodyBytes;
    /** Hands the connection over after a 101; null unless the request asked to upgrade. */
    private Supplier<Upgraded> upgrade;
    private boolean upgraded;
    private boolean tunnelRequest;

    Response(ResponseOutput out, boolean headRequest, boolean http11, BooleanSupplier keepAliveWanted) {
        this.out = out;
        this.headRequest = headRequest;
        this.http11 = http11;
        this.keepAliveWanted = keepAliveWanted;
    }

    /** Sets the status code, 200..999 (default 200). */
    public Response status(int code) {
        checkNotCommitted();
        if (code < 200 || code > 999) {
            // 1xx are interim: the server sends 100 Continue itself; a 1xx as the final answer breaks framing.
            throw new IllegalArgumentException("status must be 200..999, was " + code);
        }
        this.status = code;
        return this;
    }

    public int status() {
        return status;
    }

    /** Sets header {@code name}, replacing any value it had. */
    public Response header(String name, String value) {
        checkNotCommitted();
        Headers.check(name, value);
        headers.set(name, value);
        return this;
    }

    /** Adds a value for header {@code name}, keeping earlier ones (e.g. {@code Set-Cookie}). */
    public Response addHeader(String name, String value) {
        checkNotCommitted();
        Headers.check(name, value);
        headers.add(name, value);
        return this;
    }

    /**
     * The headers set so far, to change in place; every field is checked when the head is sent
     * (a name that is not a token, or a control or non-Latin-1 character in a value, fails the
     * response with {@link IllegalArgumentException} before any byte of it is written).
     */
    public Headers headers() {
        return headers;
    }

    /** Sends {@code text} as the whole body, UTF-8, {@code text/plain} unless a Content-Type was set. */
    public void send(String text) throws IOException {
        if (!headers.contains("Content-Type")) {
            headers.set("Content-Type", "text/plain; charset=utf-8");
        }
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sets the status, then sends {@code text} as the whole body. */
    public void send(int statusCode, String text) throws IOException {
        status(statusCode);
        send(text);
    }

    /** Sends {@code bytes} as the whole body, with {@code Content-Length}. */
    public void send(byte[] bytes) throws IOException {
        checkNotCommitted();
        headers.remove("Transfer-Encoding");
        if (Status.forbidsBody(status)) {
            headers.remove("Content-Length");
        } else {
            headers.set("Content-Length", Long.toString(bytes.length));
        }
        commit();
        if (!headRequest && !Status.forbidsBody(status)) {
            out.write(bytes, 0, bytes.length);
            bodyBytes = bytes.length;
        }
        body = new BodyOutputStreams.Discarding();
        body.close();
    }

    /**
     * Sends the head now and returns the body stream: chunked, or of the length given by a
     * {@code Content-Length} header set before (to an HTTP/1.0 client without one: ended by closing the
     * connection). Close it when done (the server does if you don't).
     */
    public OutputStream stream() throws IOException {
        if (body != null) {
            return body;
        }
        checkNotCommitted();
        headers.remove("Transfer-Encoding");
        String length = headers.first("Content-Length");
        if (Status.forbidsBody(status)) {
            headers.remove("Content-Length");
            commit();
            body = new BodyOutputStreams.Discarding();
        } else if (length != null) {
            long declared = parseLength(length);
            headers.set("Content-Length", Long.toString(declared)); // one field: repeats could disagree
            commit();
            body = headRequest ? new BodyOutputStreams.Discarding() : new BodyOutputStreams.Fixed(out, declared);
        } else if (!http11) {
            // RFC 9112 section 6.1: no Transfer-Encoding to an HTTP/1.0 client; closing ends the body.
            headers.set("Connection", "close");
            commit();
            body = headRequest ? new BodyOutputStreams.Discarding() : new BodyOutputStreams.Fixed(out, Long.MAX_VALUE);
        } else {
            headers.set("Transfer-Encoding", "chunked");
            commit();
            body = headRequest ? new BodyOutputStreams.Discarding() : new BodyOutputStreams.Chunked(out);
        }
        return body;
    }

    /**
     * Answers {@code 101 Switching Protocols} with the headers set so far (an {@code Upgrade} field
     * naming the protocol among them, RFC 9110 section 7.8) and hands the connection over: the
     * returned {@link Upgraded} reads the client's bytes and writes raw ones. When the handler
     * returns the connection is closed; it carries no more HTTP.
     *
     * @throws IllegalStateException if the request did not ask to upgrade (an HTTP/1.1 request
     *         without a body whose {@code Connection} field names its {@code Upgrade} field), the head
     *         was sent, or no {@code Upgrade} field is set
     */
    public Upgraded switchProtocols() throws IOException {
        checkNotCommitted();
        if (upgrade == null || tunnelRequest) {
            throw new IllegalStateException("the request did not ask to upgrade");
        }
        if (!headers.contains("Upgrade")) {
            throw new IllegalStateException("set the Upgrade field to the protocol switched to");
        }
        checkFields();
        committed = true;
        upgraded = true;
        status = 101;
        headers.remove("Content-Length");
        headers.remove("Transfer-Encoding");
        if (!headers.containsToken("Connection", "upgrade")) {
            headers.set("Connection", "upgrade");
        }
        writeHead(Status.line(true, 101));
        out.flush();
        body = new BodyOutputStreams.Discarding();
        return upgrade.get();
    }

    /**
     * Answers a {@code CONNECT} with {@code 200 Connection established} and the headers set so far,
     * and hands the connection over as a tunnel: the returned {@link Upgraded} carries the client's
     * bytes both ways, with no HTTP any more. When the handler returns the connection is closed.
     *
     * @throws IllegalStateException if the request was not a CONNECT, or the head was sent
     */
    public Upgraded establishTunnel() throws IOException {
        checkNotCommitted();
        if (upgrade == null || !tunnelRequest) {
            throw new IllegalStateException("only a CONNECT request becomes a tunnel");
        }
        checkFields();
        committed = true;
        upgraded = true;
        status = 200;
        headers.remove("Content-Length");
        headers.remove("Transfer-Encoding");
        headers.remove("Connection");
        writeHead("HTTP/1.1 200 Connection established\r\n");
        out.flush();
        body = new BodyOutputStreams.Discarding();
        return upgrade.get();
    }

    /**
     * Lets {@link #switchProtocols()} (a request that asked to upgrade) or {@link #establishTunnel()}
     * (a CONNECT, {@code tunnel} true) hand the connection over.
     */
    void allowUpgrade(Supplier<Upgraded> handOver, boolean tunnel) {
        this.upgrade = handOver;
        this.tunnelRequest = tunnel;
    }

    boolean upgraded() {
        return upgraded;
    }

    /** Whether the head has been sent (or buffered to send): status and headers can no longer change. */
    public boolean isCommitted() {
        return committed;
    }

    /**
     * Ends the response after the handler returned: sends an empty one if nothing was sent, closes
     * the body stream.
     *
     * @return whether the connection may carry another request
     */
    boolean finish() throws IOException {
        if (upgraded) {
            return false; // the connection belongs to the other protocol
        }
        if (!committed) {
            send(new byte[0]);
        }
        body.close();
        if (body instanceof BodyOutputStreams.Fixed fixed && !fixed.complete()) {
            return false; // the client waits for bytes that will never come: only closing tells it
        }
        return keepAlive;
    }

    long bodyBytes() {
        return bodyBytes;
    }

    private void commit() throws IOException {
        checkFields();
        committed = true;
        keepAlive = keepAliveWanted.getAsBoolean() && !headers.containsToken("Connection", "close");
        if (!keepAlive) {
            headers.set("Connection", "close");
        } else if (!http11) {
            headers.set("Connection", "keep-alive");
        }
        writeHead(Status.line(http11, status));
    }

    private void writeHead(String statusLine) throws IOException {
        out.writeLatin1(statusLine);
        if (!headers.contains("Date")) {
            out.writeLatin1("Date: ");
            out.writeLatin1(HttpDate.now());
            out.writeLatin1("\r\n");
        }
        for (int i = 0; i < headers.size(); i++) {
            out.writeLatin1(headers.name(i));
            out.writeLatin1(": ");
            out.writeLatin1(headers.value(i));
            out.writeLatin1("\r\n");
        }
        out.writeLatin1("\r\n");
    }

    private void checkNotCommitted() {
        if (committed) {
            throw new IllegalStateException("the response head was already sent");
        }
    }

    private static long parseLength(String value) {
        try {
            long n = Long.parseLong(value);
            if (n >= 0 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new IllegalArgumentException("Content-Length must be digits, was " + value);
    }

    /**
     * Checks every field once more before the head goes out: {@link #headers()} hands out the
     * fields themselves, so a value added there has not been checked yet.
     */
    private void checkFields() {
        for (int i = 0; i < headers.size(); i++) {
            Headers.check(headers.name(i), headers.value(i));
        }
    }
}
