package dev.weft.proxy;

import dev.weft.client.ConnectionPool;
import dev.weft.client.Endpoint;
import dev.weft.client.Lease;
import dev.weft.client.PoolExhaustedException;
import dev.weft.http.Headers;
import dev.weft.http.HttpException;
import dev.weft.http.Request;
import dev.weft.http.Response;
import dev.weft.http.ResponseHead;
import dev.weft.http.ResponseReader;
import dev.weft.http.Upgraded;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.time.Duration;

/**
 * One attempt to forward a request to one server: borrow a connection, send the request head and
 * body, read the response head, then copy the response to the client as it comes. Plain blocking
 * code on the client connection's thread; the body streams through a 16 KiB buffer both ways.
 *
 * <p>Everything that can fail before the first byte of the response reaches the client is returned
 * as a {@link Failure}, so the proxy may try another server or answer 502/504. After that the
 * response is committed: a failure of the server ends the client connection ({@link Aborted}); a
 * client that goes away ends the attempt with its {@link IOException}.
 */
final class UpstreamExchange {

    private static final int BUFFER = 16 * 1024;

    /** The server failed after the response had begun: the client connection must end, not look complete. */
    static final class Aborted extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Aborted(int status, String message, Throwable cause) {
            super(message, cause, false, false);
            this.status = status;
        }
    }

    private final Forwarding proxy;
    private final Request request;
    private final Response response;
    private final Endpoint endpoint;
    private final OutgoingBody body;
    private byte[] buffer;
    private long sent;
    private long received;
    private long connectNanos = -1;

    UpstreamExchange(Forwarding proxy, Request request, Response response, Endpoint endpoint, OutgoingBody body) {
        this.proxy = proxy;
        this.request = request;
        this.response = response;
        this.endpoint = endpoint;
        this.body = body;
    }

    /**
     * Forwards the request and relays the response.
     *
     * @param fresh        open a new connection rather than reuse a kept-alive one (after a stale one failed)
     * @param statusRetry  whether a response whose status {@code proxy_next_upstream} names may be
     *                     dropped for another server (one is left to try)
     * @return null once the response went to the client, or why nothing did
     * @throws Aborted     if the server failed in the middle of the response
     * @throws IOException if the client failed (its body, or taking the response)
     */
    Failure run(boolean fresh, boolean statusRetry) throws Aborted, IOException {
        Lease lease;
        ConnectionPool pool = proxy.pool();
        long begin = System.nanoTime();
        try {
            lease = fresh ? pool.acquireFresh(endpoint) : pool.acquire(endpoint);
            if (!lease.isReused()) {
                connectNanos = System.nanoTime() - begin;
            }
        } catch (PoolExhaustedException e) {
            return new Failure(Failure.Kind.CONNECT_ERROR, "no connection came free: " + e.getMessage(), false);
        } catch (UnknownHostException e) {
            return new Failure(Failure.Kind.CONNECT_ERROR, "host not found", false);
        } catch (SocketTimeoutException e) {
            return new Failure(Failure.Kind.CONNECT_TIMEOUT, "connect timed out", false);
        } catch (IOException e) {
            return new Failure(Failure.Kind.CONNECT_ERROR, "connect failed: " + reason(e), false);
        }
        boolean reusable = false;
        try {
            Failure failure = send(lease);
            if (failure != null) {
                return failure;
            }
            ResponseReader reader = new ResponseReader(lease.in());
            ResponseHead head;
            InputStream from;
            long length;
            try {
                head = readHead(reader);
                if (head == null) {
                    return new Failure(Failure.Kind.READ_ERROR, "closed the connection before responding",
                            lease.isReused());
                }
                if (head.status() == 101 && !upgrading()) {
                    return new Failure(Failure.Kind.INVALID_HEADER, "switched protocols, which was not asked for", false);
                }
                if (head.status() == 101) {
                    tunnel(lease, reader, head);
                    return null;
                }
                from = reader.body(request.method(), head);
                length = ResponseReader.declaredLength(request.method(), head);
            } catch (HttpException e) {
                return new Failure(Failure.Kind.INVALID_HEADER, "sent an invalid response head: " + e.getMessage(), false);
            } catch (SocketTimeoutException e) {
                return new Failure(Failure.Kind.READ_TIMEOUT, "timed out reading the response head", false);
            } catch (IOException e) {
                return new Failure(Failure.Kind.READ_ERROR, "failed before responding: " + reason(e),
                        lease.isReused() && !reader.receivedAny());
            }
            if (statusRetry && proxy.retriesOnStatus(head.status())) {
                return new Failure(Failure.Kind.STATUS, "answered " + head.status(), false);
            }
            boolean complete = relay(head, from, length);
            // Both framing fields may be smuggling (RFC 9112 section 6.3): relayed as chunked, never reused.
            reusable = complete && head.keepAlive() && !ResponseReader.endsAtClose(request.method(), head)
                    && !(head.headers().contains("Transfer-Encoding") && head.headers().contains("Content-Length"));
            return null;
        } finally {
            if (!reusable) {
                lease.markBroken();
            }
            lease.close();
        }
    }

    /** Body bytes (or tunnel bytes) sent to the server so far. */
    long sent() {
        return sent;
    }

    /** Body bytes (or tunnel bytes) relayed from the server to the client so far. */
    long received() {
        return received;
    }

    /** How long opening a new connection took, or -1 if a kept-alive one was reused (or none came). */
    long connectNanos() {
        return connectNanos;
    }

    /** Sends the request head and body; a failure of the server, or null. */
    private Failure send(Lease lease) throws IOException {
        try {
            byte[] head = head();
            byte[] bytes = body.bytes();
            if (bytes != null || body.length() == 0) {
                // head and body in one write: the common case of a small request
                byte[] all = bytes == null ? head : Arrays.copyOf(head, head.length + bytes.length);
                if (bytes != null) {
                    System.arraycopy(bytes, 0, all, head.length, bytes.length);
                }
                lease.out().write(all);
                sent = all.length - head.length;
            } else {
                OutputStream out = new BufferedOutputStream(lease.out(), 8192);
                out.write(head);
                sent = body.stream(out, buffer());
                out.flush();
            }
            return null;
        } catch (OutgoingBody.ClientFailure e) {
            throw e.io();
        } catch (SocketTimeoutException e) {
            return new Failure(Failure.Kind.SEND_TIMEOUT, "timed out sending the request", false);
        } catch (IOException e) {
            return new Failure(Failure.Kind.SEND_ERROR, "failed while sending the request: " + reason(e), lease.isReused());
        }
    }

    /** The request head for the server: hop-by-hop fields removed, the configured ones set, framing re-derived. */
    private byte[] head() {
        StringBuilder h = new StringBuilder(512);
        h.append(request.method()).append(' ').append(proxy.targetFor(request)).append(" HTTP/1.1\r\n");
        Headers fields = request.headers();
        HopByHop hop = new HopByHop(fields);
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.name(i);
            if (!hop.isHopByHop(name) && !proxy.setsHeader(name)) {
                h.append(name).append(": ").append(fields.value(i)).append("\r\n");
            }
        }
        proxy.appendSetHeaders(h, request, endpoint);
        if (upgrading()) {
            // Passed on as HAProxy does (nginx needs proxy_set_header Upgrade and Connection for it).
            h.append("Upgrade: ").append(fields.first("Upgrade")).append("\r\nConnection: upgrade\r\n");
        }
        if (body.length() > 0) {
            h.append("Content-Length: ").append(body.length()).append("\r\n");
        } else if (body.length() < 0) {
            h.append("Transfer-Encoding: chunked\r\n");
        } else if (fields.contains("Content-Length")) {
            h.append("Content-Length: 0\r\n");
        }
        h.append("Via: 1.1 weft\r\n\r\n");
        return h.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Whether the client asked to switch protocols: an HTTP/1.1 request without a body, with an
     * {@code Upgrade} field that its {@code Connection} field names (RFC 9110 section 7.8).
     */
    private boolean upgrading() {
        return body.length() == 0 && request.version().equals("HTTP/1.1") && request.headers().contains("Upgrade")
                && request.headers().containsToken("Connection", "upgrade");
    }

    /**
     * The server agreed to switch protocols: 101 to the client with the server's fields, then both
     * connections become a two-way relay (half-closes passed on) until both sides are done or
     * nothing moves for the read timeout. The server's connection is never pooled again.
     */
    private void tunnel(Lease lease, ResponseReader reader, ResponseHead head) throws IOException {
        Headers fields = head.headers();
        HopByHop hop = new HopByHop(fields);
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.name(i);
            if (!hop.isHopByHop(name) || name.equalsIgnoreCase("Upgrade")) {
                response.addHeader(name, fields.value(i));
            }
        }
        response.addHeader("Via", "1.1 weft");
        Upgraded client = response.switchProtocols();
        lease.readTimeout(Duration.ofDays(365)); // the sweeper keeps the idle time across both directions
        InputStream fromServer = reader.remaining();
        Relay.Far server = new Relay.Far() {
            @Override
            public InputStream in() {
                return fromServer;
            }

            @Override
            public OutputStream out() {
                return lease.out();
            }

            @Override
            public void shutdownOutput() throws IOException {
                lease.shutdownOutput();
            }

            @Override
            public void close(boolean reset) {
                if (reset) {
                    lease.reset();
                } else {
                    lease.markBroken();
                    lease.close();
                }
            }

            @Override
            public String toString() {
                return endpoint.toString();
            }
        };
        Relay relay = new Relay(client.connection(), client.in(), server);
        try {
            proxy.tunnelled(proxy.tunnels().run(relay));
            sent = relay.sent();
            received = relay.received();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while relaying");
        }
    }

    /** Reads the final response head, skipping interim ones (100 Continue); null if the server closed first. */
    private static ResponseHead readHead(ResponseReader reader) throws IOException {
        ResponseHead head;
        do {
            head = reader.readHead();
        } while (head != null && head.isInterim() && head.status() != 101);
        return head;
    }

    /**
     * Sends the response head to the client and copies the body; true if the body was read to its
     * end (the server's connection can be reused).
     */
    private boolean relay(ResponseHead head, InputStream from, long length) throws Aborted, IOException {
        response.status(head.status());
        Headers fields = head.headers();
        HopByHop hop = new HopByHop(fields);
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.name(i);
            if (!hop.isHopByHop(name)) {
                response.addHeader(name, fields.value(i));
            }
        }
        response.addHeader("Via", "1.1 weft");
        if (length >= 0) {
            response.header("Content-Length", Long.toString(length));
        } else if (request.method().equals("HEAD")) {
            long getLength = headLength(head);
            if (getLength >= 0) {
                response.header("Content-Length", Long.toString(getLength)); // the length a GET would have
            }
        }
        OutputStream to = response.stream();
        // a body of known small length needs no more than its size (none: one byte, for the end)
        byte[] buf = length >= 0 && length < BUFFER ? new byte[(int) Math.max(1, length)] : buffer();
        long copied = 0;
        for (;;) {
            int n;
            try {
                n = from.read(buf);
            } catch (SocketTimeoutException e) {
                throw new Aborted(504, "timed out reading the response body", e);
            } catch (HttpException e) {
                throw new Aborted(502, "sent an invalid response body: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new Aborted(502, "failed in the middle of the response: " + reason(e), e);
            }
            if (n < 0) {
                if (length >= 0 && copied < length) {
                    throw new Aborted(502, "closed the connection " + (length - copied) + " bytes before the end of the body", null);
                }
                return true;
            }
            to.write(buf, 0, n);
            copied += n;
            received = copied;
            if (n < buf.length && copied != length) {
                to.flush(); // the server paused: what came so far goes to the client now (streaming responses)
            }
        }
    }

    /** The valid Content-Length of a response to HEAD, or -1. */
    private static long headLength(ResponseHead head) {
        try {
            return ResponseReader.declaredLength("GET", head);
        } catch (HttpException e) {
            return -1;
        }
    }

    private byte[] buffer() {
        if (buffer == null) {
            buffer = new byte[BUFFER];
        }
        return buffer;
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
