package dev.weft.client;

import java.net.SocketTimeoutException;

/**
 * The exchange's deadline ran out while the pool, the connection or the lookup waited; {@link HttpClient}
 * turns it into an {@link HttpClientException} of kind {@link HttpClientException.Kind#TOTAL_TIMEOUT}.
 * A {@link SocketTimeoutException}, so code that only knows the pool sees a timeout.
 */
final class DeadlineExceededException extends SocketTimeoutException {

    private static final long serialVersionUID = 1L;

    /** The step that ran out of time, or null where the thrower cannot tell (a read: head or body). */
    private final transient HttpClientException.Phase phase;

    DeadlineExceededException(HttpClientException.Phase phase, String message) {
        super(message);
        this.phase = phase;
    }

    HttpClientException.Phase phase() {
        return phase;
    }
}
