package dev.weft.client;

import java.io.IOException;
import java.time.Duration;

/**
 * {@link ConnectionPool#acquire} waited its borrow timeout and no connection to the endpoint came
 * free. The message says which endpoint, how long, and what the pool held at that moment.
 */
public final class PoolExhaustedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Endpoint endpoint;

    PoolExhaustedException(Endpoint endpoint, Duration waited, int active, int idle, int waiting, int max) {
        super("no connection to " + endpoint + " within " + waited.toMillis() + " ms: " + active + " lent of at most "
                + max + ", " + idle + " idle, " + waiting + " waiting");
        this.endpoint = endpoint;
    }

    public Endpoint endpoint() {
        return endpoint;
    }
}
