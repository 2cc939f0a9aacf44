package dev.weft.balance;

import dev.weft.client.Endpoint;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The upstream chosen for one request or connection. It counts as in flight (for
 * {@link Strategy#LEAST_CONNECTIONS}) until closed; call {@link #failed()} before closing if the
 * upstream could not be reached or broke off, so that {@code max_fails} can take it out of service.
 * Closing without {@code failed()} counts as a success. Closing twice does nothing.
 */
public final class Pick implements AutoCloseable {

    private final UpstreamGroup group;
    private final Peer peer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean failed;

    Pick(UpstreamGroup group, Peer peer) {
        this.group = group;
        this.peer = peer;
    }

    public Upstream upstream() {
        return peer.upstream;
    }

    public Endpoint endpoint() {
        return peer.upstream.endpoint();
    }

    /** The upstream failed this request: refused, timed out, reset, or answered with garbage. */
    public void failed() {
        failed = true;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            group.release(peer, failed);
        }
    }

    @Override
    public String toString() {
        return "Pick[" + group.name() + " -> " + peer.upstream + "]";
    }
}
