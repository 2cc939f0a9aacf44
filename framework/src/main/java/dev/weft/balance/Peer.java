package dev.weft.balance;

import dev.weft.client.Endpoint;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The running state of one {@link Upstream} in its group: requests in flight, the round robin's
 * current weight, the passive failure count, the active checks' verdict and the figures of its
 * {@link UpstreamStatus}.
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

    // Written by the health checker only (the verdict is read by pickers, hence volatile).
    volatile boolean checkedUp = true;
    volatile String checkProblem;
    int goodInARow;
    int badInARow;

    // For the status page and the meters; written from pickers and the checker.
    final AtomicLong picks = new AtomicLong();
    final AtomicLong requestFailures = new AtomicLong();
    final AtomicLong checkFailures = new AtomicLong();
    final AtomicLong transitions = new AtomicLong();
    volatile long lastTransition;
    volatile long lastResponseNanos = -1;

    Peer(Upstream upstream, boolean passive) {
        this.upstream = upstream;
        this.weight = upstream.weight();
        this.maxFails = passive ? upstream.maxFails() : 0;
        this.failTimeoutNanos = upstream.failTimeout().toNanos();
    }

    Endpoint endpoint() {
        return upstream.endpoint();
    }

    /** In service: not {@code down}, its checks pass, and it is not sitting out failed requests. */
    boolean available(long now) {
        return !upstream.down() && checkedUp && !sittingOut(now);
    }

    /** Sitting out {@code failTimeout} after {@code maxFails} failures (or running its one trial request). */
    boolean sittingOut(long now) {
        return maxFails > 0 && fails >= maxFails && now - lastFailure <= failTimeoutNanos;
    }

    /** Below its {@code max_conns}. Called under the group's lock, which also guards every change of {@link #active}. */
    boolean hasRoom() {
        return upstream.maxConns() == 0 || active.get() < upstream.maxConns();
    }

    /** May take this request: available, below {@code max_conns}, and not tried for it yet. */
    boolean eligible(long now, Set<Endpoint> tried) {
        return available(now) && hasRoom() && !tried.contains(upstream.endpoint());
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

    /** The active checks' verdict; returns true if it changed (and counts the change at {@code now}). */
    boolean checked(boolean up, long now) {
        if (checkedUp == up) {
            return false;
        }
        checkedUp = up;
        transition(now);
        return true;
    }

    /** It went out of service or came back at {@code now}. */
    void transition(long now) {
        lastTransition = now;
        transitions.incrementAndGet();
    }
}
