package dev.weft.client;

import dev.weft.http.HttpException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * A response body whose every read respects the read timeout and the exchange's total deadline,
 * and whose failures say what happened ({@link HttpClientException}).
 */
final class DeadlineInputStream extends InputStream {

    private final InputStream body;
    private final Lease lease;
    private final long deadline;
    private final String where;

    DeadlineInputStream(InputStream body, Lease lease, long deadline, String where) {
        this.body = body;
        this.lease = lease;
        this.deadline = deadline;
        this.where = where;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        HttpClient.limitRead(lease, deadline, where);
        try {
            return body.read(b, off, len);
        } catch (SocketTimeoutException e) {
            lease.markBroken();
            boolean total = System.nanoTime() - deadline >= 0;
            throw new HttpClientException(total ? HttpClientException.Kind.TOTAL_TIMEOUT
                    : HttpClientException.Kind.READ_TIMEOUT, where + ": " + (total ? "total" : "read")
                    + " timeout in the response body", e);
        } catch (HttpException e) {
            lease.markBroken();
            throw new HttpClientException(HttpClientException.Kind.MALFORMED_RESPONSE,
                    where + ": malformed response body: " + e.getMessage(), e);
        } catch (IOException e) {
            lease.markBroken();
            throw e instanceof HttpClientException ? e
                    : new HttpClientException(HttpClientException.Kind.IO, where + ": response body: " + e, e);
        }
    }
}
