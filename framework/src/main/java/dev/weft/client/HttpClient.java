package dev.weft.client;

import dev.weft.http.HttpException;
import dev.weft.http.ResponseHead;
import dev.weft.http.ResponseReader;
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
 * endpoint, chunked bodies both ways, connect / read / total timeouts, and one careful retry.
 *
 * <pre>{@code
 * HttpClient client = new HttpClient(pool, Duration.ofSeconds(10));
 * try (ClientResponse r = client.send(ClientRequest.get(URI.create("http://backend:8080/users/7")))) {
 *     String json = r.bodyAsString();
 * }
 * }</pre>
 *
 * <p><b>Retries.</b> A keep-alive connection can be closed by the server just as a request is
 * sent on it. When a request fails on a reused connection before any response byte arrived
 * (reset, end of stream, a failed write), it is sent once more on a new connection, if it is
 * idempotent (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) or the caller allowed it
 * ({@link ClientRequest.Builder#retryNonIdempotent}), and its body can be sent again. Nothing else
 * is retried: the exception says what happened ({@link HttpClientException.Kind}).
 *
 * <p>Connect, read and write timeouts are the pool's ({@link PoolOptions}); the total timeout bounds
 * the exchange up to the end of the response head, and each later body read. Thread-safe.
 */
public final class HttpClient {

    private final ConnectionPool pool;
    private final Duration totalTimeout;

    /** A client with a total timeout of 30 seconds. */
    public HttpClient(ConnectionPool pool) {
        this(pool, Duration.ofSeconds(30));
    }

    public HttpClient(ConnectionPool pool, Duration totalTimeout) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.totalTimeout = Objects.requireNonNull(totalTimeout, "totalTimeout");
    }

    /**
     * Sends {@code request} and returns once the response head has arrived; the body streams.
     *
     * @throws HttpClientException if the exchange failed (after the one retry where allowed)
     */
    public ClientResponse send(ClientRequest request) throws HttpClientException {
        URI uri = request.uri();
        Endpoint endpoint = new Endpoint(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        Lease lease = acquire(endpoint, false);
        try {
            return exchange(lease, request, deadline);
        } catch (BeforeResponse failure) {
            if (!failure.reused || !retryAllowed(request)) {
                throw failure.exception;
            }
            try {
                return exchange(acquire(endpoint, true), request, deadline);
            } catch (BeforeResponse again) {
                throw again.exception; // one retry only
            }
        }
    }

    private static boolean retryAllowed(ClientRequest request) {
        boolean replayable = request.body() == null || request.body().replayable();
        return replayable && (request.idempotent() || request.retryNonIdempotent());
    }

    private Lease acquire(Endpoint endpoint, boolean fresh) throws HttpClientException {
        try {
            return fresh ? pool.acquireFresh(endpoint) : pool.acquire(endpoint);
        } catch (PoolExhaustedException e) {
            throw new HttpClientException(HttpClientException.Kind.POOL_EXHAUSTED, e.getMessage(), e);
        } catch (UnknownHostException e) {
            throw new HttpClientException(HttpClientException.Kind.UNKNOWN_HOST, e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            throw new HttpClientException(HttpClientException.Kind.CONNECT_TIMEOUT, e.getMessage(), e);
        } catch (ConnectException e) {
            throw new HttpClientException(HttpClientException.Kind.CONNECT_REFUSED, e.getMessage(), e);
        } catch (IOException e) {
            throw new HttpClientException(HttpClientException.Kind.IO, e.getMessage(), e);
        }
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

    private ClientResponse exchange(Lease lease, ClientRequest request, long deadline)
            throws HttpClientException, BeforeResponse {
        String where = request.method() + " " + request.uri();
        // Every read of the head, not only the first, waits at most what is left of the total: a
        // server that trickles its head a byte at a time is cut off at the deadline.
        ResponseReader reader = new ResponseReader(new java.io.FilterInputStream(lease.in()) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                limitRead(lease, deadline, where);
                return super.read(b, off, len);
            }
        });
        try {
            writeRequest(lease.out(), request);
            ResponseHead head;
            do {
                limitRead(lease, deadline, where);
                head = reader.readHead();
                if (head == null) {
                    throw new BeforeResponse(new HttpClientException(HttpClientException.Kind.CLOSED_BEFORE_RESPONSE,
                            where + ": the server closed the connection before responding", null), lease.isReused());
                }
            } while (head.isInterim() && head.status() != 101);
            InputStream body = new DeadlineInputStream(reader.body(request.method(), head), lease, deadline, where);
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
            throw new HttpClientException(HttpClientException.Kind.MALFORMED_RESPONSE,
                    where + ": malformed response: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            lease.markBroken(); // a request body that threw, say: the connection is mid-message
            lease.close();
            throw e;
        } catch (IOException e) {
            lease.markBroken();
            lease.close();
            HttpClientException failure = classify(e, where, deadline, reader.receivedAny());
            if (!reader.receivedAny() && failure.kind() != HttpClientException.Kind.READ_TIMEOUT
                    && failure.kind() != HttpClientException.Kind.WRITE_TIMEOUT
                    && failure.kind() != HttpClientException.Kind.TOTAL_TIMEOUT) {
                throw new BeforeResponse(failure, lease.isReused());
            }
            throw failure;
        }
    }

    private static HttpClientException classify(IOException e, String where, long deadline, boolean receivedAny) {
        if (e instanceof HttpClientException h) {
            return h;
        }
        if (e instanceof WriteTimeoutException) {
            return new HttpClientException(HttpClientException.Kind.WRITE_TIMEOUT, where + ": " + e.getMessage(), e);
        }
        if (e instanceof SocketTimeoutException) {
            boolean total = System.nanoTime() - deadline >= 0;
            return new HttpClientException(total ? HttpClientException.Kind.TOTAL_TIMEOUT
                    : HttpClientException.Kind.READ_TIMEOUT, where + ": " + (total ? "total" : "read") + " timeout", e);
        }
        String message = String.valueOf(e.getMessage());
        if (!receivedAny && (message.contains("Connection reset") || message.contains("Broken pipe"))) {
            return new HttpClientException(HttpClientException.Kind.RESET_BEFORE_RESPONSE,
                    where + ": connection reset before the response", e);
        }
        return new HttpClientException(HttpClientException.Kind.IO, where + ": " + e, e);
    }

    /** Sets the next reads' timeout to the smaller of the read timeout and what is left of the total. */
    static void limitRead(Lease lease, long deadline, String where) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new HttpClientException(HttpClientException.Kind.TOTAL_TIMEOUT, where + ": total timeout", null);
        }
        Duration readTimeout = lease.pool().options().readTimeout();
        // Whole milliseconds, rounded up: a read cut short by the deadline times out at it, not
        // just before it (and so counts as the total timeout).
        long leftMillis = (left + 999_999) / 1_000_000;
        lease.readTimeout(leftMillis < readTimeout.toMillis() ? Duration.ofMillis(leftMillis) : readTimeout);
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
