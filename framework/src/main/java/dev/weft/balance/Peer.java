package dev.weft.balance;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running state of one {@link Upstream} in its group: requests in flight, the round robin's
 * current weight, the passive failure count and the active checks' verdict.
 */
final class Peer {

    final Upstream upstream;
    final int weight;
    final AtomicInteger active = new AtomicInteger();
    private final int maxFails;
    private final long failTimeoutNanos;

    // Guarded by the group's lock.
    int currentWeight;
    private int fails;
    private long windowStart;
    private long lastFailure;

    // Written by the health checker only.
    volatile boolean checkedUp = true;
    int checkSuccesses;
    int checkFailures;

    Peer(Upstream upstream, boolean passive) {
        this.upstream = upstream;
        this.weight = upstream.weight();
        this.maxFails = passive ? upstream.maxFails() : 0;
        this.failTimeoutNanos = upstream.failTimeout().toNanos();
    }

    /** In service: its checks pass, and it is not sitting out failed requests. */
    boolean available(long now) {
        return checkedUp && (maxFails == 0 || fails < maxFails || now - lastFailure > failTimeoutNanos);
    }

    /**
     * It was picked at {@code now}. If it had been sitting out failures, this request is its one
     * trial: until the trial ends, or for another {@code failTimeout}, nobody else is sent to it
     * (nginx does the same).
     */
    void picked(long now) {
        if (maxFails > 0 && fails >= maxFails) {
            lastFailure = now;
        }
    }

    /**
     * A request to it failed. Failures count within a window of {@code failTimeout}; at
     * {@code maxFails} it sits out {@code failTimeout}. Returns true if this failure took it out.
     */
    boolean failed(long now) {
        if (maxFails == 0) {
            return false;
        }
        if (fails < maxFails && now - windowStart > failTimeoutNanos) {
            fails = 0;
            windowStart = now;
        }
        fails++;
        lastFailure = now;
        return fails == maxFails;
    }

    /**
     * A request picked at {@code pickedAt} went through. It forgives the failures only if it was
     * picked after the last of them: an older request that happened to finish well says nothing
     * about the server now.
     */
    void succeeded(long pickedAt) {
        if (pickedAt - lastFailure >= 0) {
            fails = 0;
        }
    }
}
