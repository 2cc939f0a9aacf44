package dev.weft.client;

import dev.weft.client.HttpClientException.Kind;
import dev.weft.client.HttpClientException.Phase;
import dev.weft.http.HttpException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * A response body whose every read respects the read timeout and the exchange's total deadline,
 * that ends with a failure once it passes the client's body limit, and whose failures say what
 * happened ({@link HttpClientException}, phase {@link Phase#BODY}). Any failure marks the lease
 * broken: the connection is closed when the response is, never reused.
 *
 * <p>The limit is checked as bytes arrive, asking the body for at most one byte more than is left,
 * so no more than {@code limit + 1} bytes are ever read, whatever the framing (a declared
 * {@code Content-Length} over the limit never gets here: {@link HttpClient} refuses it first).
 */
final class DeadlineInputStream extends InputStream {

    private final InputStream body;
    private final Lease lease;
    private final Deadline deadline;
    private final String where;
    private final long limit;
    private long count;
    private boolean tooLarge;

    DeadlineInputStream(InputStream body, Lease lease, Deadline deadline, String where, long limit) {
        this.body = body;
        this.lease = lease;
        this.deadline = deadline;
        this.where = where;
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (tooLarge) {
            throw tooLarge();
        }
        if (len == 0) {
            return 0;
        }
        if (deadline.passed()) {
            lease.markBroken();
            throw HttpClient.totalTimeout(Phase.BODY, deadline, where, null);
        }
        long left = limit - count;
        int n;
        try {
            n = body.read(b, off, left < len ? (int) left + 1 : len);
        } catch (DeadlineExceededException e) {
            lease.markBroken();
            throw HttpClient.totalTimeout(Phase.BODY, deadline, where, null);
        } catch (SocketTimeoutException e) {
            lease.markBroken();
            throw new HttpClientException(Kind.READ_TIMEOUT, Phase.BODY, where + ": read timeout in the response body", e);
        } catch (HttpException e) {
            lease.markBroken();
            throw new HttpClientException(Kind.MALFORMED_RESPONSE, Phase.BODY,
                    where + ": malformed response body: " + e.getMessage(), e);
        } catch (IOException e) {
            lease.markBroken();
            throw e instanceof HttpClientException ? e
                    : new HttpClientException(Kind.IO, Phase.BODY, where + ": response body: " + e, e);
        }
        if (n > 0) {
            count += n;
            if (count > limit) {
                tooLarge = true;
                lease.markBroken();
                throw tooLarge();
            }
        }
        return n;
    }

    private HttpClientException tooLarge() {
        return new HttpClientException(Kind.BODY_TOO_LARGE, Phase.BODY, where + ": the response body is larger than the limit of "
                + bytes(limit) + " (HttpClient.withMaxResponseBody)", null);
    }

    /** {@code 16777216 bytes (16 MiB)}, for messages. */
    static String bytes(long n) {
        String exact = n + (n == 1 ? " byte" : " bytes");
        if (n >= 1024 * 1024 && n % (1024 * 1024) == 0) {
            return exact + " (" + n / (1024 * 1024) + " MiB)";
        }
        if (n >= 1024 && n % 1024 == 0) {
            return exact + " (" + n / 1024 + " KiB)";
        }
        return exact;
    }
}
