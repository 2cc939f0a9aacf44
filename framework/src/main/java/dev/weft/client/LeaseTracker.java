package dev.weft.client;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Finds leases that were dropped without {@link Lease#close()}: each lease lent is watched through
 * a phantom reference, and one the garbage collector found unreachable while still open gives its
 * connection back (closed, never reused) and is reported, as Netty's leak detector reports a buffer
 * never released. So a forgotten {@code close()} costs one connection until the next collection,
 * not one for ever (which, at {@code maxPerEndpoint}, would stop every later borrow).
 *
 * <p>{@link #reclaim} is called by the pool's watchdog thread on each of its rounds; it never blocks.
 */
final class LeaseTracker {

    /** What is left of a lease once its object is gone: the connection it held and who took it. */
    static final class Tracked extends PhantomReference<Lease> {
        final PooledConnection connection;
        final String borrower;

        Tracked(Lease lease, PooledConnection connection, ReferenceQueue<Lease> queue) {
            super(lease, queue);
            this.connection = connection;
            this.borrower = Thread.currentThread().toString();
        }
    }

    private final ReferenceQueue<Lease> queue = new ReferenceQueue<>();
    /** The leases open now; a phantom reference must stay reachable itself until it is enqueued. */
    private final Set<Tracked> open = ConcurrentHashMap.newKeySet();
    private final Consumer<Tracked> abandoned;

    /** {@code abandoned} is told of each lease found dropped while open, on the watchdog's thread. */
    LeaseTracker(Consumer<Tracked> abandoned) {
        this.abandoned = abandoned;
    }

    Tracked track(Lease lease, PooledConnection connection) {
        Tracked t = new Tracked(lease, connection, queue);
        open.add(t);
        return t;
    }

    /** The lease was closed: nothing to reclaim. */
    void closed(Tracked t) {
        open.remove(t);
        t.clear();
    }

    /** Hands the connections of leases dropped while open to {@code abandoned}. */
    void reclaim() {
        for (Reference<? extends Lease> r; (r = queue.poll()) != null; ) {
            Tracked t = (Tracked) r;
            if (open.remove(t)) {
                abandoned.accept(t);
            }
        }
    }

    /** Leases lent and not yet closed (or reclaimed). */
    int open() {
        return open.size();
    }
}
