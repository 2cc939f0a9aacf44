package dev.weft.client;

import dev.weft.client.HttpClientException.Kind;
import dev.weft.client.HttpClientException.Phase;
import dev.weft.http.HttpException;
import dev.weft.http.ResponseHead;
import dev.weft.http.ResponseReader;
import dev.weft.tcp.NetworkException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * A blocking HTTP/1.1 client on a {@link ConnectionPool}: keep-alive connections reused per
 * endpoint, chunked bodies both ways, connect / read / write / total timeouts, a response body
 * limit, and one careful retry.
 *
 * <pre>{@code
 * HttpClient client = new HttpClient(pool, Duration.ofSeconds(10));
 * try (ClientResponse r = client.send(ClientRequest.get(URI.create("http://backend:8080/users/7")))) {
 *     String json = r.bodyAsString();
 * }
 * HttpClient downloads = client.withMaxResponseBody(HttpClient.NO_LIMIT);  // same pool, no body limit
 * }</pre>
 *
 * <p><b>Retries.</b> A keep-alive connection can be closed by the server just as a request is
 * sent on it. When a request fails on a reused connection before any response byte arrived
 * (reset, end of stream, a failed write), it is sent once more on a new connection, if it is
 * idempotent (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) or the caller allowed it
 * ({@link ClientRequest.Builder#retryNonIdempotent}), and its body can be sent again. Nothing else
 * is retried: the exception says what happened ({@link HttpClientException.Kind}) and at which step
 * ({@link HttpClientException.Phase}).
 *
 * <p><b>Timeouts.</b> Connect, read and write timeouts are the pool's ({@link PoolOptions}), and
 * bound each connect, read and write. The total timeout (the constructor's, or the one given to
 * {@link #send(ClientRequest, Duration)}) is a deadline for the whole exchange: the wait for a pooled
 * connection, the lookup and connect of a new one (TLS handshake included), writing the request,
 * the response head, and every later read of the body; each of those waits at most what is left of
 * it, the retry included. When it runs out the exchange fails with
 * {@link HttpClientException.Kind#TOTAL_TIMEOUT}, its {@link HttpClientException#phase() phase}
 * saying which step ran out, and the connection is closed (a waiting borrow simply gives up). The
 * pool's watchdog enforces it on reads and writes to within a few milliseconds.
 *
 * <p><b>Body limit.</b> A response body may be at most {@link #maxResponseBody()} bytes
 * ({@value #DEFAULT_MAX_RESPONSE_BODY} by default, 16 MiB), whether read with
 * {@link ClientResponse#bodyAsString()} or streamed from {@link ClientResponse#body()}: a
 * {@code Content-Length} above it fails {@code send} before any body byte is read, and a chunked
 * or until-close body fails the read that passes it, in both cases with
 * {@link HttpClientException.Kind#BODY_TOO_LARGE} naming the limit; the connection is then closed,
 * never reused. {@link #withMaxResponseBody(long)} changes it ({@link #NO_LIMIT} for downloads read
 * from {@code body()}). The reverse and forward proxies do not go through this client: they stream
 * bodies of any size.
 *
 * <p>Immutable and thread-safe; the {@code withX} copies share the pool.
 */
public final class HttpClient {

    /**
     * The default response body limit: 16 MiB. Far above what an API answers (JSON, HTML, a page of
     * results), the same order as the server's own request body limit (10 MiB), and small enough
     * that a hostile server cannot exhaust the heap: {@code bodyAsString} holds at most about three
     * times the limit while it reads (the growing buffer and the string), and the pool's
     * {@code maxTotal} bounds how many such reads run at once. Downloads that stream the body say
     * {@link #NO_LIMIT} or their own bound.
     */
    public static final long DEFAULT_MAX_RESPONSE_BODY = 16L * 1024 * 1024;

    /** No response body limit ({@link #withMaxResponseBody}): for bodies streamed from {@link ClientResponse#body()}. */
    public static final long NO_LIMIT = Long.MAX_VALUE;

    private final ConnectionPool pool;
    private final Duration totalTimeout;
    private final long maxResponseBody;

    /** A client with a total timeout of 30 seconds and the default body limit. */
    public HttpClient(ConnectionPool pool) {
        this(pool, Duration.ofSeconds(30));
    }

    /** A client whose exchanges must be over within {@code totalTimeout} (see the class comment), with the default body limit. */
    public HttpClient(ConnectionPool pool, Duration totalTimeout) {
        this(pool, positive(totalTimeout, "totalTimeout"), DEFAULT_MAX_RESPONSE_BODY);
    }

    private HttpClient(ConnectionPool pool, Duration totalTimeout, long maxResponseBody) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.totalTimeout = totalTimeout;
        this.maxResponseBody = maxResponseBody;
    }

    /**
     * A client like this one (same pool, same total timeout) whose response bodies may be at most
     * {@code bytes} long; {@link #NO_LIMIT} for none, 0 to accept only empty bodies.
     */
    public HttpClient withMaxResponseBody(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxResponseBody must not be negative, was " + bytes);
        }
        return new HttpClient(pool, totalTimeout, bytes);
    }

    /** The largest response body this client reads, in bytes ({@link #NO_LIMIT}: none). */
    public long maxResponseBody() {
        return maxResponseBody;
    }

    /** How long one exchange may take, from {@link #send(ClientRequest)} to the last body read. */
    public Duration totalTimeout() {
        return totalTimeout;
    }

    /**
     * Sends {@code request} and returns once the response head has arrived; the body streams. The
     * client's total timeout applies.
     *
     * @throws HttpClientException if the exchange failed (after the one retry where allowed)
     */
    public ClientResponse send(ClientRequest request) throws HttpClientException {
        return send(request, totalTimeout);
    }

    /**
     * Like {@link #send(ClientRequest)}, with {@code timeout} instead of the client's total timeout
     * for this exchange: the borrow, lookup, connect, writing the request, the response head and the
     * body reads all happen within it (a caller with a deadline of its own passes what is left).
     *
     * @throws HttpClientException if the exchange failed; {@link HttpClientException.Kind#TOTAL_TIMEOUT}
     *     with the step that ran out if {@code timeout} did
     */
    public ClientResponse send(ClientRequest request, Duration timeout) throws HttpClientException {
        Deadline deadline = Deadline.after(positive(timeout, "timeout"));
        URI uri = request.uri();
        Endpoint endpoint = new Endpoint(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
        String where = request.method() + " " + uri;
        Lease lease = acquire(endpoint, false, deadline, where);
        try {
            return exchange(lease, request, deadline, where);
        } catch (BeforeResponse failure) {
            if (!failure.reused || !retryAllowed(request)) {
                throw failure.exception;
            }
            try {
                return exchange(acquire(endpoint, true, deadline, where), request, deadline, where);
            } catch (BeforeResponse again) {
                throw again.exception; // one retry only
            }
        }
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }

    private static boolean retryAllowed(ClientRequest request) {
        boolean replayable = request.body() == null || request.body().replayable();
        return replayable && (request.idempotent() || request.retryNonIdempotent());
    }

    private Lease acquire(Endpoint endpoint, boolean fresh, Deadline deadline, String where) throws HttpClientException {
        try {
            return fresh ? pool.acquireFresh(endpoint, deadline) : pool.acquire(endpoint, deadline);
        } catch (DeadlineExceededException e) {
            throw totalTimeout(e.phase() != null ? e.phase() : Phase.CONNECT, deadline, where, e);
        } catch (PoolExhaustedException e) {
            throw new HttpClientException(Kind.POOL_EXHAUSTED, Phase.BORROW, where + ": " + e.getMessage(), e);
        } catch (UnknownHostException e) {
            throw new HttpClientException(Kind.UNKNOWN_HOST, Phase.LOOKUP, where + ": " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            throw new HttpClientException(Kind.CONNECT_TIMEOUT, Phase.CONNECT, where + ": " + e.getMessage(), e);
        } catch (ConnectException e) {
            throw new HttpClientException(Kind.CONNECT_REFUSED, Phase.CONNECT, where + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new HttpClientException(Kind.IO, Phase.CONNECT, where + ": " + e.getMessage(), e);
        }
    }

    /** The exchange's deadline ran out {@code phase}; {@code cause}, if any, says what waited. */
    static HttpClientException totalTimeout(Phase phase, Deadline deadline, String where, Exception cause) {
        return new HttpClientException(Kind.TOTAL_TIMEOUT, phase, where + ": the " + deadline + " ran out "
                + phase.doing() + (cause == null ? "" : " (" + cause.getMessage() + ")"), cause);
    }

    /** A failure before any response byte: the caller may retry. */
    private static final class BeforeResponse extends Exception {
        private static final long serialVersionUID = 1L;
        final transient HttpClientException exception;
        final boolean reused;

        BeforeResponse(HttpClientException exception, boolean reused) {
            super(null, null, false, false);
            this.exception = exception;
            this.reused = reused;
        }
    }

    private ClientResponse exchange(Lease lease, ClientRequest request, Deadline deadline, String where)
            throws HttpClientException, BeforeResponse {
        // The lease stops every read and write at the deadline (PooledConnection), so a server that
        // trickles its head a byte at a time is cut off at it, as is one that stops reading the body.
        ResponseReader reader = new ResponseReader(lease.in());
        Phase phase = Phase.WRITE;
        try {
            writeRequest(lease.out(), request);
            phase = Phase.HEAD;
            ResponseHead head;
            do {
                head = reader.readHead();
                if (head == null) {
                    throw new BeforeResponse(new HttpClientException(Kind.CLOSED_BEFORE_RESPONSE, phase,
                            where + ": the server closed the connection before responding", null), lease.isReused());
                }
            } while (head.isInterim() && head.status() != 101);
            long declared = ResponseReader.declaredLength(request.method(), head);
            if (declared > maxResponseBody) {
                throw new HttpClientException(Kind.BODY_TOO_LARGE, Phase.BODY, where + ": the response declares a body of "
                        + declared + " bytes (Content-Length), more than the limit of "
                        + DeadlineInputStream.bytes(maxResponseBody) + " (HttpClient.withMaxResponseBody)", null);
            }
            InputStream body = new DeadlineInputStream(reader.body(request.method(), head), lease, deadline, where,
                    maxResponseBody);
            // A 101 hands the connection to another protocol; both framing fields may be smuggling
            // (RFC 9112 section 6.3): neither connection carries another request.
            boolean reusable = head.keepAlive() && head.status() != 101 && !ResponseReader.endsAtClose(request.method(), head)
                    && !(head.headers().contains("Transfer-Encoding") && head.headers().contains("Content-Length"));
            return new ClientResponse(head, body, lease, reusable);
        } catch (BeforeResponse | HttpClientException e) {
            lease.markBroken();
            lease.close();
            throw e;
        } catch (HttpException e) {
            lease.markBroken();
            lease.close();
            throw new HttpClientException(Kind.MALFORMED_RESPONSE, phase, where + ": malformed response: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            lease.markBroken(); // a request body that threw, say: the connection is mid-message
            lease.close();
            throw e;
        } catch (IOException e) {
            lease.markBroken();
            lease.close();
            HttpClientException failure = classify(e, where, deadline, phase, reader.receivedAny());
            if (!reader.receivedAny() && failure.kind() != Kind.READ_TIMEOUT && failure.kind() != Kind.WRITE_TIMEOUT
                    && failure.kind() != Kind.TOTAL_TIMEOUT) {
                throw new BeforeResponse(failure, lease.isReused());
            }
            throw failure;
        }
    }

    private static HttpClientException classify(IOException e, String where, Deadline deadline, Phase phase,
            boolean receivedAny) {
        if (e instanceof HttpClientException h) {
            return h;
        }
        if (e instanceof DeadlineExceededException d) {
            return totalTimeout(d.phase() != null ? d.phase() : phase, deadline, where, null);
        }
        if (e instanceof WriteTimeoutException) {
            return new HttpClientException(Kind.WRITE_TIMEOUT, phase, where + ": " + e.getMessage(), e);
        }
        if (e instanceof SocketTimeoutException) {
            return new HttpClientException(Kind.READ_TIMEOUT, phase, where + ": read timeout: " + e.getMessage(), e);
        }
        NetworkException.Kind network = NetworkException.kindOf(e);
        if (!receivedAny && (network == NetworkException.Kind.RESET || network == NetworkException.Kind.BROKEN_PIPE)) {
            return new HttpClientException(Kind.RESET_BEFORE_RESPONSE, phase,
                    where + ": connection reset before the response", e);
        }
        return new HttpClientException(Kind.IO, phase, where + ": " + e, e);
    }

    private static void writeRequest(OutputStream socket, ClientRequest request) throws IOException {
        URI uri = request.uri();
        OutputStream out = new BufferedOutputStream(socket, 8192);
        StringBuilder head = new StringBuilder(256);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        head.append(request.method()).append(' ').append(path);
        if (uri.getRawQuery() != null) {
            head.append('?').append(uri.getRawQuery());
        }
        head.append(" HTTP/1.1\r\nHost: ").append(uri.getHost());
        if (uri.getPort() >= 0 && uri.getPort() != 80) {
            head.append(':').append(uri.getPort());
        }
        head.append("\r\n");
        for (int i = 0; i < request.headers().size(); i += 2) {
            String name = request.headers().get(i);
            if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")
                    && !name.equalsIgnoreCase("Transfer-Encoding")) {
                head.append(name).append(": ").append(request.headers().get(i + 1)).append("\r\n");
            }
        }
        ClientRequest.Body body = request.body();
        if (body != null && body.length() >= 0) {
            head.append("Content-Length: ").append(body.length()).append("\r\n");
        } else if (body != null) {
            head.append("Transfer-Encoding: chunked\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null && body.length() >= 0) {
            body.writeTo(out);
        } else if (body != null) {
            ChunkedOutputStream chunked = new ChunkedOutputStream(out);
            body.writeTo(chunked);
            chunked.finish();
        }
        out.flush();
    }
}
