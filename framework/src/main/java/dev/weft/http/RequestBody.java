package dev.weft.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Objects;

/**
 * The request body the handler reads: the framed stream (fixed-length or chunked) plus the limits
 * that need a clock or a count: {@code maxBodySize} (413) and the minimum data rate after the grace
 * period (408). Sends {@code 100 Continue} before the first read when the client asked for it.
 *
 * <p>A failure is remembered ({@link #failure()}), so the connection loop answers with the right
 * status even if the handler swallowed the exception, and never reuses the connection.
 */
final class RequestBody extends InputStream {

    /** How much of an unread body the server reads and discards to keep the connection. */
    static final long DRAIN_LIMIT = 64 * 1024;

    private final InputStream framed;
    private final HttpLimits limits;
    private Continue pendingContinue;
    private long total;
    private long startNanos;
    private boolean ended;
    private RuntimeException failure;
    private IOException ioFailure;

    /** Sends the interim 100 response; runs at most once, before the first body byte is read. */
    @FunctionalInterface
    interface Continue {
        void send() throws IOException;
    }

    RequestBody(InputStream framed, HttpLimits limits, Continue pendingContinue) {
        this.framed = framed;
        this.limits = limits;
        this.pendingContinue = pendingContinue;
    }

    /** The body of a request that has none (no Content-Length, no Transfer-Encoding): already at its end. */
    static RequestBody empty(HttpLimits limits) {
        RequestBody body = new RequestBody(InputStream.nullInputStream(), limits, null);
        body.ended = true;
        return body;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (failure != null) {
            throw failure;
        }
        if (ioFailure != null) {
            throw ioFailure;
        }
        if (ended) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        if (startNanos == 0) {
            if (pendingContinue != null) {
                Continue c = pendingContinue;
                pendingContinue = null;
                c.send();
            }
            startNanos = System.nanoTime();
        }
        int n;
        try {
            n = framed.read(b, off, len);
        } catch (HttpException e) {
            throw fail(e);
        } catch (SocketTimeoutException e) {
            throw fail(HttpException.closing(408, "request body timed out"));
        } catch (IOException e) {
            ioFailure = e;
            throw e;
        }
        if (n < 0) {
            ended = true;
            return -1;
        }
        total += n;
        if (total > limits.maxBodySize()) {
            throw fail(HttpException.closing(413, "request body larger than " + limits.maxBodySize() + " bytes"));
        }
        checkRate();
        return n;
    }

    @Override
    public int available() throws IOException {
        return ended || failure != null ? 0 : framed.available();
    }

    /** Closing the body does not close the connection; the server drains what is left. */
    @Override
    public void close() {
    }

    /**
     * Reads and discards the rest of the body, up to {@link #DRAIN_LIMIT} bytes.
     *
     * @return whether the body ended cleanly, so the connection can carry another request
     */
    boolean drain() {
        if (ended) {
            return true;
        }
        if (failure != null || ioFailure != null || pendingContinue != null) {
            // A client waiting for 100 Continue may never send the body: only closing is safe.
            return false;
        }
        byte[] skip = new byte[4096];
        long limit = total + DRAIN_LIMIT;
        try {
            while (total < limit) {
                if (read(skip, 0, (int) Math.min(skip.length, limit - total)) < 0) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the client asked for 100 Continue and has not been sent it (the body was not read). */
    boolean continuePending() {
        return pendingContinue != null;
    }

    /** The limit the body broke, or {@code null}. */
    HttpException failure() {
        return failure instanceof HttpException e ? e : null;
    }

    boolean failed() {
        return failure != null || ioFailure != null;
    }

    private HttpException fail(HttpException e) {
        failure = e;
        return e;
    }

    /** After the grace period the body must average at least {@code minBodyRate} bytes a second. */
    private void checkRate() {
        long rate = limits.minBodyRate();
        if (rate == 0) {
            return;
        }
        long elapsed = System.nanoTime() - startNanos;
        if (elapsed > limits.bodyRateGrace().toNanos() && total * 1_000_000_000.0 / elapsed < rate) {
            throw fail(HttpException.closing(408, "request body slower than " + rate + " bytes/s"));
        }
    }
}
