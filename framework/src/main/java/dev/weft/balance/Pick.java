package dev.weft.balance;

import dev.weft.client.Endpoint;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The upstream chosen for one request or connection. It counts as in flight (for
 * {@link Strategy#LEAST_CONNECTIONS}) until closed; call {@link #markFailed()} before closing if the
 * upstream could not be reached or broke off, so that {@code max_fails} can take it out of service.
 * Closing without {@code markFailed()} counts as a success (which forgives the server's earlier
 * failures if it was picked after them). Closing twice does nothing.
 */
public final class Pick implements AutoCloseable {

    private final UpstreamGroup group;
    private final Peer peer;
    private final long pickedAt;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean failed;

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

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            group.release(peer, failed, pickedAt);
        }
    }

    @Override
    public String toString() {
        return "Pick[" + group.name() + " -> " + peer.upstream + "]";
    }
}
