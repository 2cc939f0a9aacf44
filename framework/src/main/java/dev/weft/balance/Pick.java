package dev.weft.balance;

import dev.weft.client.Endpoint;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The upstream chosen for one request or connection. It counts as in flight (for
 * {@link Strategy#LEAST_CONNECTIONS}, {@link Strategy#RANDOM_TWO} and {@code max_conns}) until
 * closed; call {@link #markFailed()} before closing if the upstream could not be reached or broke
 * off, so that {@code max_fails} can take it out of service. Closing without {@code markFailed()}
 * counts as a success (which forgives the server's earlier failures if it was picked after them).
 * Closing twice does nothing.
 *
 * <p>The server's {@link UpstreamStatus#lastResponseTime()} is what {@link #markResponseTime}
 * reported, else, for a pick that did not fail, the time from the pick to its close.
 * Thread-safe.
 */
public final class Pick implements AutoCloseable {

    private final UpstreamGroup group;
    private final Peer peer;
    private final long pickedAt;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean failed;
    private volatile long responseNanos = -1;

    Pick(UpstreamGroup group, Peer peer, long pickedAt) {
        this.group = group;
        this.peer = peer;
        this.pickedAt = pickedAt;
    }

    public Upstream upstream() {
        return peer.upstream;
    }

    public Endpoint endpoint() {
        return peer.upstream.endpoint();
    }

    /** The upstream failed this request: refused, timed out, reset, or answered with garbage. */
    public void markFailed() {
        failed = true;
    }

    /**
     * How long the server took to answer (say, until the response head, like nginx's
     * {@code $upstream_header_time}), recorded as its last response time when this pick closes.
     */
    public void markResponseTime(Duration time) {
        Objects.requireNonNull(time, "time");
        if (time.isNegative()) {
            throw new IllegalArgumentException("a response time cannot be negative, was " + time);
        }
        responseNanos = time.toNanos();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            group.release(peer, failed, pickedAt, responseNanos);
        }
    }

    @Override
    public String toString() {
        return "Pick[" + group.name() + " -> " + peer.upstream + "]";
    }
}
