package dev.weft.http;

import dev.weft.tcp.Connection;
import dev.weft.tcp.ConnectionHandler;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Serves the requests of one connection, in order, on its virtual thread (on the epoll transport, a
 * new one after each wait for the next request): waits for a request (the keep-alive timeout),
 * reads its head against the deadline, routes it, runs the handler, ends the response, drains what
 * the handler left of the body, and decides whether the connection carries another. Responses are
 * flushed when the next read would block, so the responses to a pipelined batch that has arrived
 * leave in one write.
 *
 * <p>Every refusal is a small {@code text/plain} response; after a framing error, a timeout or a
 * body that cannot be drained the connection closes (output first, then a short lingering read, so
 * the client sees the response rather than a reset).
 */
final class HttpConnection {

    private static final System.Logger LOG = System.getLogger(HttpServer.class.getName());
    private static final System.Logger ACCESS = System.getLogger("dev.weft.http.access");
    /** After an error response: how long and how much to read and discard before closing. */
    private static final Duration LINGER = Duration.ofSeconds(2);
    private static final long LINGER_BYTES = 256 * 1024;

    private final Connection conn;
    private final HttpServer server;
    private final HttpLimits limits;
    private final HttpInput in;
    private final ResponseOutput out;
    private final RequestHeadParser parser;
    private final HttpMetrics.LastTimer lastTimer = new HttpMetrics.LastTimer();
    /** What the server runs when the next request's bytes come (one object, not one per request). */
    private final ConnectionHandler resume = c -> serve();
    private int served;
    /** When the current request's first byte arrived, for the request timer. */
    private long requestStart;

    HttpConnection(Connection conn, HttpServer server) {
        this.conn = conn;
        this.server = server;
        this.limits = server.limits();
        conn.minSendRate(limits.minSendRate(), limits.sendRateGrace()); // the TCP layer times the writes
        this.out = new ResponseOutput(conn.out());
        this.in = new HttpInput(conn.in());
        this.in.flushBeforeBlockingRead(out::flushAndRelease);
        this.parser = new RequestHeadParser(limits);
    }

    /**
     * Serves requests until the connection is done, or until it must wait for the next one: then,
     * where the transport allows, it hands the connection back to the server, which calls this again
     * on a new thread when the next request's bytes come ({@link Connection#continueWhenReadable}).
     */
    void serve() throws IOException {
        try {
            while (serveOne()) {
                served++;
                if (!in.hasBuffered() && conn.continueWhenReadable(limits.keepAliveTimeout(), resume)) {
                    in.shrinkIfEmpty(); // the waiting connection keeps little
                    return;
                }
            }
        } finally {
            out.flushAndRelease();
        }
    }

    /** Serves one request; false when the connection is done. */
    private boolean serveOne() throws IOException {
        // The first request has the header timeout from the moment of accept; later ones wait up
        // to the keep-alive timeout for their first byte, then get the header timeout from it.
        conn.midMessage(false); // between requests a graceful close may end the connection
        if (served == 0) {
            conn.readTimeout(limits.headerTimeout());
            conn.readDeadline(limits.headerTimeout().minus(conn.age())); // the thread may start after accept
        } else {
            conn.clearReadDeadline();
            conn.readTimeout(limits.keepAliveTimeout());
        }
        try {
            if (!in.awaitData()) {
                return false;
            }
        } catch (SocketTimeoutException e) {
            return false; // nothing began: close silently
        }
        conn.midMessage(true); // a request began: a graceful close lets it arrive whole
        long start = System.nanoTime();
        requestStart = start;
        conn.readTimeout(limits.readTimeout());
        if (served > 0) {
            conn.readDeadline(limits.headerTimeout());
        }
        RequestHead head = null;
        BodyFraming framing;
        try {
            head = parser.read(in);
            if (head == null) {
                return false;
            }
            framing = BodyFraming.of(head);
            checkExpectation(head);
            if (!framing.chunked() && framing.length() > limits.maxBodySize()) {
                throw HttpException.closing(413, "request body larger than " + limits.maxBodySize() + " bytes");
            }
        } catch (HttpException e) {
            return reject(e, head);
        } catch (SocketTimeoutException e) {
            return reject(HttpException.closing(408, "request head not received within " + limits.headerTimeout()),
                    null);
        }
        conn.clearReadDeadline();
        return exchange(head, framing, start);
    }

    private boolean exchange(RequestHead head, BodyFraming framing, long start) throws IOException {
        boolean expectContinue = head.isHttp11() && framing != BodyFraming.NONE
                && head.headers().first("Expect") != null;
        Response[] response = new Response[1];
        RequestBody body = framing == BodyFraming.NONE ? RequestBody.empty(limits)
                : new RequestBody(framedBody(framing), limits, expectContinue ? () -> {
                    if (!response[0].isCommitted()) {
                        out.writeLatin1("HTTP/1.1 100 Continue\r\n\r\n");
                        out.flush();
                    }
                } : null);
        boolean keepAliveWanted = wantsKeepAlive(head);
        Response res = new Response(out, head.method().equals("HEAD"), head.isHttp11(),
                () -> keepAliveWanted && !server.isClosing() && !body.continuePending() && !body.failed());
        response[0] = res;
        if (framing == BodyFraming.NONE && head.form() == RequestHead.TargetForm.AUTHORITY) {
            res.allowUpgrade(() -> new Upgraded(conn, in), true); // CONNECT: a proxy may make it a tunnel
        } else if (framing == BodyFraming.NONE && head.isHttp11() && head.headers().contains("Upgrade")
                && head.headers().containsToken("Connection", "upgrade")) {
            res.allowUpgrade(() -> new Upgraded(conn, in), false);
        }
        Request req = new Request(server.nextRequestId(), head, conn.remoteAddress(), conn.isSecure(), body,
                framing.chunked() ? -1 : framing.length());
        Router.Match match;
        try {
            match = server.router().find(head.method(), req.path()); // decodes path parameters
        } catch (HttpException e) {
            return reject(e, head);
        }
        String uri = match.template() != null ? match.template()
                : match.handler() != null ? "UNMATCHED" : match.status() == 405 ? "METHOD_NOT_ALLOWED" : "NOT_FOUND";
        server.metrics().started();
        try {
            if (match.handler() == null) {
                if (match.allow() != null) {
                    res.header("Allow", match.allow());
                }
                res.send(match.status(), match.status() == 404 ? "not found\n" : "method not allowed\n");
            } else {
                req.route(match.template(), match.params());
                match.handler().handle(req, res);
            }
            HttpException broken = body.failure();
            if (broken != null && !res.isCommitted()) {
                sendError(res, broken);
            }
        } catch (VirtualMachineError e) {
            throw e; // out of memory or stack: nothing sensible to answer, the TCP layer logs and closes
        } catch (Throwable e) {
            if (!handlerFailed(req, res, body, e)) {
                record(req, res, uri, start);
                return false;
            }
        } finally {
            server.metrics().ended();
            if (body.failure() != null) {
                server.metrics().rejected(body.failure().status()); // a body limit or the minimum rate
            }
        }
        boolean reusable = res.finish();
        record(req, res, uri, start);
        if (res.upgraded()) {
            return false; // the other protocol has ended: close, no HTTP lingering
        }
        boolean failedBefore = body.failure() != null;
        if (!reusable || !body.drain()) {
            if (!failedBefore && body.failure() != null) {
                server.metrics().rejected(body.failure().status()); // the server's own drain tripped a limit
            }
            closeGracefully();
            return false;
        }
        return true;
    }

    /** Answers for a handler that threw; false when the connection must close without more. */
    private boolean handlerFailed(Request req, Response res, RequestBody body, Throwable e) throws IOException {
        HttpException refusal = body.failure() != null ? body.failure() : e instanceof HttpException h ? h : null;
        if (refusal == null && (body.failed() || out.failed())) {
            LOG.log(Level.DEBUG, "{0}: the client is gone: {1}", req, e.toString());
            return false; // it broke the body or stopped taking the response: nothing to answer
        }
        if (refusal == null) {
            LOG.log(Level.WARNING, conn + ": " + req.method() + " " + req.path() + " (request " + req.id()
                    + "): handler failed", e);
        }
        if (res.isCommitted()) {
            return false; // a half-sent response can only be ended by closing
        }
        if (refusal == null) {
            // Nothing of the failed answer goes out with the 500: not its Content-Type, cookies or framing.
            Headers fields = res.headers();
            while (fields.size() > 0) {
                fields.remove(fields.name(0));
            }
            res.header("Connection", "close");
            res.send(500, "internal server error\n");
        } else {
            sendError(res, refusal);
        }
        return true;
    }

    /** Refuses a request before any handler ran. */
    private boolean reject(HttpException e, RequestHead head) throws IOException {
        server.metrics().rejected(e.status());
        server.metrics().record(head != null ? head.method() : "other", e.status(), "REJECTED",
                System.nanoTime() - requestStart);
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "{0}: refused with {1}: {2}", conn, e.status(), e.clientMessage());
        }
        // A refusal of a HEAD request has no body either (RFC 9110 section 9.3.2).
        boolean headRequest = head != null && head.method().equals("HEAD");
        Response res = new Response(out, headRequest, true, () -> !e.closesConnection() && !server.isClosing());
        sendError(res, e);
        if (res.finish()) {
            return true;
        }
        closeGracefully();
        return false;
    }

    private static void sendError(Response res, HttpException e) throws IOException {
        if (e.closesConnection()) {
            res.header("Connection", "close");
        }
        res.headers().remove("Content-Length");
        res.header("Content-Type", "text/plain; charset=utf-8"); // the body is ours, whatever the handler set
        res.send(e.status(), e.clientMessage() + "\n");
    }

    /**
     * Flushes, sends FIN, then reads and discards for a moment: closing with unread bytes would
     * make the kernel send a reset, which can destroy the response before the client reads it.
     */
    private void closeGracefully() {
        try {
            out.flush();
            conn.shutdownOutput();
            conn.midMessage(false); // what is left is discarded: a graceful close need not wait for it
            conn.readTimeout(LINGER);
            conn.readDeadline(LINGER);
            byte[] skip = new byte[4096];
            long total = 0;
            InputStream raw = conn.in();
            while (total < LINGER_BYTES) {
                int n = in.hasBuffered() ? in.read(skip, 0, skip.length) : raw.read(skip);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (IOException e) {
            // The peer is gone or slow: close now.
        }
    }

    private void checkExpectation(RequestHead head) {
        String expect = head.headers().first("Expect");
        if (expect != null && !(expect.equalsIgnoreCase("100-continue") && head.headers().count("Expect") == 1)) {
            throw HttpException.closing(417, "only Expect: 100-continue is supported");
        }
    }

    private InputStream framedBody(BodyFraming framing) {
        return framing.chunked() ? new ChunkedInputStream(in, limits) : new FixedLengthInputStream(in, framing.length());
    }

    /** HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 only with keep-alive. */
    private boolean wantsKeepAlive(RequestHead head) {
        Headers h = head.headers();
        int max = limits.maxRequestsPerConnection();
        if (max > 0 && served + 1 >= max) {
            return false;
        }
        if (h.containsToken("Connection", "close")) {
            return false;
        }
        return head.isHttp11() || h.containsToken("Connection", "keep-alive");
    }

    private void record(Request req, Response res, String uri, long start) {
        long nanos = System.nanoTime() - start;
        server.metrics().record(lastTimer, req.method(), res.status(), uri, nanos);
        if (server.accessLog() && ACCESS.isLoggable(Level.INFO)) {
            ACCESS.log(Level.INFO, "{0} \"{1} {2} {3}\" {4} {5} {6}ms", req.remoteAddress().getAddress().getHostAddress(),
                    req.method(), req.target(), req.version(), Integer.toString(res.status()),
                    Long.toString(res.bodyBytes()), Long.toString(nanos / 1_000_000));
        }
    }
}
