package dev.weft.client;

import dev.weft.http.Headers;
import dev.weft.http.ResponseHead;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A response from {@link HttpClient}: status and headers, and the body streamed from the
 * connection. Close it (try-with-resources): a body read to its end returns the connection to the
 * pool; an unread rest of up to 64 KiB is drained; anything else closes the connection.
 *
 * <p>The body is bounded by the client's {@link HttpClient#maxResponseBody() limit}, read either way:
 * the read that passes it fails with {@link HttpClientException.Kind#BODY_TOO_LARGE}, as does every
 * read after it, and the connection is closed with the response.
 */
public final class ClientResponse implements AutoCloseable {

    private static final long DRAIN_LIMIT = 64 * 1024;

    private final ResponseHead head;
    private final InputStream body;
    private final Lease lease;
    private final boolean reusable;
    private boolean ended;
    private boolean closed;

    ClientResponse(ResponseHead head, InputStream body, Lease lease, boolean reusable) {
        this.head = head;
        this.lease = lease;
        this.reusable = reusable;
        this.body = new InputStream() {
            @Override
            public int read() throws IOException {
                int b = body.read();
                ended |= b < 0;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = body.read(b, off, len);
                ended |= n < 0;
                return n;
            }

            @Override
            public void close() {
                ClientResponse.this.close();
            }
        };
    }

    public int status() {
        return head.status();
    }

    public String reason() {
        return head.reason();
    }

    public Headers headers() {
        return head.headers();
    }

    /** The first value of header {@code name}, or {@code null}. */
    public String header(String name) {
        return head.headers().first(name);
    }

    /**
     * The body as it arrives (chunked decoding done); closing it closes this response. Reads fail
     * with an {@link HttpClientException}: {@code BODY_TOO_LARGE} past the client's body limit,
     * {@code READ_TIMEOUT}, {@code TOTAL_TIMEOUT} once the exchange's total timeout has passed.
     */
    public InputStream body() {
        return body;
    }

    /**
     * Reads the whole body as UTF-8: at most the client's body limit ({@link HttpClient#maxResponseBody()},
     * 16 MiB by default), so a hostile server cannot make it hold more; past it this fails with
     * {@link HttpClientException.Kind#BODY_TOO_LARGE}. With {@link HttpClient#NO_LIMIT} it reads
     * everything: stream large bodies from {@link #body()} instead.
     */
    public String bodyAsString() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        body.transferTo(all);
        return all.toString(StandardCharsets.UTF_8);
    }

    /** Hands the connection back (or closes it, see the class comment). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!reusable || !drained()) {
            lease.markBroken();
        }
        lease.close();
    }

    private boolean drained() {
        if (ended) {
            return true;
        }
        byte[] skip = new byte[4096];
        long total = 0;
        try {
            while (total <= DRAIN_LIMIT) {
                int n = body.read(skip);
                if (n < 0) {
                    return true;
                }
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
