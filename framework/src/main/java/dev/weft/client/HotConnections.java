package dev.weft.client;

import dev.weft.tcp.OutboundSocket;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * Connections just returned, kept for a moment outside commons-pool2 so that the next borrow of the
 * same endpoint takes one with a compare-and-set instead of the keyed pool's borrow and return.
 * Those take a {@code synchronized} statistics lock shared by every endpoint
 * ({@code BaseGenericObjectPool.StatsStore.add}, commons-pool2 2.13.0) and the idle deque's lock:
 * measured under a forward proxy at 1,000 connections, 53 of 140 virtual threads were waiting on
 * that one monitor.
 *
 * <p>To commons-pool2 a hot connection is still lent, so every limit it keeps holds. It goes back
 * to the keyed pool (whose evictor then checks it) once it has waited here {@code ttl}, when the
 * pool closes, and whenever a borrower might be waiting inside the keyed pool (see
 * {@link ConnectionPool}), so no waiter misses a connection that came free. Per endpoint at most
 * {@code maxPerEndpoint}, most recently returned first (the least likely to have been closed by
 * the server, as the keyed pool's LIFO order).
 *
 * <p>Each endpoint's hot connections are kept by {@linkplain OutboundSocket#affinity() affinity}:
 * on the epoll transport's carriers a borrower first gets one whose socket its own carrier polls,
 * so the server's answer wakes it with no hop to another OS thread (issue #18); only when there is
 * none of those does it take another carrier's.
 */
final class HotConnections {

    /** Slots by affinity + 1: slot 0 holds JDK sockets, slot k + 1 carrier k's (at most 32 pollers). */
    private static final int SLOTS = 33;

    /** One endpoint's hot connections by affinity; {@code size} is kept apart, a deque's size() being a walk. */
    private static final class Stack {
        final AtomicReferenceArray<ConcurrentLinkedDeque<PooledConnection>> bySlot = new AtomicReferenceArray<>(SLOTS);
        final AtomicInteger size = new AtomicInteger();

        ConcurrentLinkedDeque<PooledConnection> slot(int i) {
            ConcurrentLinkedDeque<PooledConnection> d = bySlot.get(i);
            if (d == null) {
                bySlot.compareAndSet(i, null, new ConcurrentLinkedDeque<>());
                d = bySlot.get(i);
            }
            return d;
        }

        /** The most recently returned of slot {@code first}, else of any other; null if none. */
        PooledConnection poll(int first) {
            ConcurrentLinkedDeque<PooledConnection> d = bySlot.get(first);
            PooledConnection c = d == null ? null : d.pollFirst();
            for (int i = 0; c == null && i < SLOTS; i++) {
                d = bySlot.get(i);
                c = i == first || d == null ? null : d.pollFirst();
            }
            return c;
        }
    }

    private final ConcurrentHashMap<Endpoint, Stack> byEndpoint = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final int maxPerEndpoint;
    private final long ttlNanos;

    HotConnections(int maxPerEndpoint, long ttlNanos) {
        this.maxPerEndpoint = maxPerEndpoint;
        this.ttlNanos = ttlNanos;
    }

    /** Keeps {@code c} (marked idle from now), or says no when its endpoint has its fill. */
    boolean offer(PooledConnection c) {
        boolean[] kept = new boolean[1];
        // compute holds the endpoint's bin, so a stack is never dropped (see expire) while one is put in it
        byEndpoint.compute(c.endpoint(), (e, s) -> {
            Stack stack = s == null ? new Stack() : s;
            if (stack.size.get() < maxPerEndpoint) {
                c.idle();
                stack.size.incrementAndGet();
                total.incrementAndGet();
                stack.slot(c.affinity() + 1).offerFirst(c);
                kept[0] = true;
            }
            return stack;
        });
        return kept[0];
    }

    /**
     * The most recently returned hot connection to {@code endpoint} of the calling thread's
     * affinity, else the most recent of another; null if none.
     */
    PooledConnection poll(Endpoint endpoint) {
        return poll(endpoint, OutboundSocket.currentAffinity());
    }

    /** {@link #poll(Endpoint)} for a borrower of {@code affinity} (-1: none). */
    PooledConnection poll(Endpoint endpoint, int affinity) {
        Stack s = byEndpoint.get(endpoint);
        PooledConnection c = s == null || s.size.get() == 0 ? null : s.poll(affinity + 1);
        if (c != null) {
            s.size.decrementAndGet();
            total.decrementAndGet();
        }
        return c;
    }

    /** Hands every connection hot for {@code ttl} or longer to {@code back}; drops empty stacks. */
    void expire(Consumer<PooledConnection> back) {
        for (Endpoint e : byEndpoint.keySet()) {
            Stack s = byEndpoint.get(e);
            if (s == null) {
                continue;
            }
            for (int i = 0; i < SLOTS; i++) {
                ConcurrentLinkedDeque<PooledConnection> d = s.bySlot.get(i);
                for (PooledConnection oldest; d != null && (oldest = d.peekLast()) != null
                        && oldest.idleNanos() >= ttlNanos; ) {
                    if (d.removeLastOccurrence(oldest)) {
                        s.size.decrementAndGet();
                        total.decrementAndGet();
                        back.accept(oldest);
                    }
                }
            }
            byEndpoint.computeIfPresent(e, (k, stack) -> stack.size.get() == 0 ? null : stack);
        }
    }

    /** Hands every hot connection to {@code back} (the pool closes). */
    void drain(Consumer<PooledConnection> back) {
        for (Stack s : byEndpoint.values()) {
            for (int i = 0; i < SLOTS; i++) {
                ConcurrentLinkedDeque<PooledConnection> d = s.bySlot.get(i);
                for (Iterator<PooledConnection> it = d == null ? null : d.iterator(); it != null && it.hasNext(); ) {
                    PooledConnection c = it.next();
                    if (d.removeFirstOccurrence(c)) {
                        s.size.decrementAndGet();
                        total.decrementAndGet();
                        back.accept(c);
                    }
                }
            }
        }
    }

    /** Hot connections to {@code endpoint}, or to all for null. */
    int size(Endpoint endpoint) {
        if (endpoint == null) {
            return total.get();
        }
        Stack s = byEndpoint.get(endpoint);
        return s == null ? 0 : s.size.get();
    }
}
