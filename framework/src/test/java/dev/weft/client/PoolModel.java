package dev.weft.client;

import dev.weft.client.PooledConnection.DestroyReason;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * What a {@link ConnectionPool} should hold, for {@link ConnectionPoolPropertyTest}: the idle
 * connections of each endpoint (most recently returned first), the lent ones, and what was made and
 * destroyed why. It decides a borrow as the pool does on one thread (commons-pool2 2.13.0's
 * {@code GenericKeyedObjectPool.borrowObject} under {@link ConnectionFactory#validateObject}):
 *
 * <ol>
 * <li>the endpoint's idle connections, last returned first: one older than {@code maxLifetime} is
 *     closed as expired; one idle at least {@code validateAfterIdle} is probed, and closed as stale if
 *     the server closed, reset or wrote to it; the first one left is lent;</li>
 * <li>none left: with {@code maxTotal} connections open, the longest idle one of any endpoint is
 *     closed to make room ({@code clearOldest}, counted as evicted), even when this endpoint then has
 *     no room of its own; with none idle at all the borrow waits and fails;</li>
 * <li>with {@code maxPerEndpoint} open to this endpoint it waits and fails; else a new connection.</li>
 * </ol>
 *
 * <p>Times are the test's fake clock, except when each connection went idle by the system's clock
 * ({@code Instant}), which is what {@code clearOldest} orders by: the model keeps the moments just
 * before and after each return, so it knows which connections may be the oldest.
 */
final class PoolModel {

    /** One connection the pool made. */
    static final class Conn {
        final PooledConnection real;
        final Endpoint endpoint;
        final int localPort;
        final long createdAt;
        long idleSince;
        /** The system's clock just before and just after it last went idle (commons-pool2's order). */
        Instant wentIdleFrom;
        Instant wentIdleTo;
        boolean lent;
        boolean destroyed;
        /** The server closed or reset its side; or sent bytes nobody asked for. */
        boolean closedByServer;
        boolean unexpectedData;

        Conn(PooledConnection real, Endpoint endpoint, int localPort, long createdAt) {
            this.real = real;
            this.endpoint = endpoint;
            this.localPort = localPort;
            this.createdAt = createdAt;
        }

        /** Whether an exchange on it must fail: the server is gone, or bytes are waiting that answer nothing. */
        boolean dead() {
            return closedByServer || unexpectedData;
        }

        @Override
        public String toString() {
            return "connection :" + localPort + " -> " + endpoint + (dead() ? (closedByServer ? " (closed by the server)"
                    : " (unexpected data)") : "");
        }
    }

    enum Outcome {
        /** An idle connection is lent. */
        LEND,
        /** A new connection is made and lent. */
        NEW,
        /** {@code acquireFresh}: a new connection is made idle first, then lent. */
        FRESH,
        /** No room: {@link PoolExhaustedException} after the borrow timeout. */
        EXHAUSTED,
        /** Connecting fails (the endpoint refuses). */
        REFUSED
    }

    record Discard(Conn conn, DestroyReason reason) {
    }

    /**
     * What one borrow must do: close {@code discarded} (the endpoint's unusable idle connections),
     * then {@code clearsOldest} of the longest idle ones (from {@link #oldestCandidates}), then
     * {@code outcome}; {@code lent} is the connection for {@link Outcome#LEND}, and {@code counted}
     * whether a borrow ran (timed by {@code weft.pool.borrow.wait}: not when acquireFresh's connect failed).
     */
    record Plan(List<Discard> discarded, int clearsOldest, Outcome outcome, Conn lent, boolean counted) {
    }

    private final PoolOptions options;
    private final LongSupplier now;
    private final Set<Endpoint> refusing;
    /** In the order endpoints were first used, so a walk picks the same connections again on a replay. */
    private final Map<Endpoint, Deque<Conn>> idle = new LinkedHashMap<>();
    private final List<Conn> all = new ArrayList<>();
    private final Map<PooledConnection, Conn> byReal = new IdentityHashMap<>();
    private final Map<Endpoint, Long> created = new HashMap<>();
    private final Map<Endpoint, Long> borrows = new HashMap<>();
    private final Map<Endpoint, EnumMap<DestroyReason, Long>> destroyed = new HashMap<>();
    PoolModel(PoolOptions options, LongSupplier now, Set<Endpoint> refusing) {
        this.options = options;
        this.now = now;
        this.refusing = refusing;
    }

    /** What {@code acquire(endpoint)}, or {@code acquireFresh(endpoint)}, must do now. */
    Plan plan(Endpoint endpoint, boolean fresh) {
        int total = lentCount() + idleCount();
        int objects = lent(endpoint) + idle(endpoint);
        if (fresh && total < options.maxTotal() && objects < options.maxPerEndpoint()) {
            // addObject makes one, put first among the idle ones; the borrow then takes it (it is
            // neither old nor stale). A refused connect fails acquireFresh before it borrows.
            return refusing.contains(endpoint) ? new Plan(List.of(), 0, Outcome.REFUSED, null, false)
                    : new Plan(List.of(), 0, Outcome.FRESH, null, true);
        }
        List<Discard> discarded = new ArrayList<>();
        for (Conn c : idle.getOrDefault(endpoint, new ArrayDeque<>())) {
            DestroyReason unusable = unusable(c);
            if (unusable == null) {
                return new Plan(discarded, 0, Outcome.LEND, c, true);
            }
            discarded.add(new Discard(c, unusable));
        }
        total -= discarded.size();
        objects -= discarded.size();
        int idleLeft = idleCount() - discarded.size();
        int clears = 0;
        if (total >= options.maxTotal()) {
            if (idleLeft == 0) {
                return new Plan(discarded, 0, Outcome.EXHAUSTED, null, true);
            }
            clears = (int) (idleLeft * 0.15) + 1; // GenericKeyedObjectPool.clearOldest: 15 % plus one
        }
        if (objects >= options.maxPerEndpoint()) {
            return new Plan(discarded, clears, Outcome.EXHAUSTED, null, true);
        }
        return new Plan(discarded, clears, refusing.contains(endpoint) ? Outcome.REFUSED : Outcome.NEW, null, true);
    }

    /** Why the pool's check closes idle {@code c} now ({@code validateObject}), or null if it is lent. */
    private DestroyReason unusable(Conn c) {
        long t = now.getAsLong();
        if (t - c.createdAt > options.maxLifetime().toNanos()) {
            return DestroyReason.EXPIRED;
        }
        if (t - c.idleSince >= options.validateAfterIdle().toNanos() && c.dead()) {
            return DestroyReason.STALE;
        }
        return null;
    }

    /**
     * The idle connections {@code clearOldest} may close first (after {@code excluded} are gone): those
     * that no other went idle certainly before. Ties in commons-pool2's clock break by identity hash.
     */
    Set<Conn> oldestCandidates(List<Discard> excluded) {
        Set<Conn> gone = new HashSet<>();
        excluded.forEach(d -> gone.add(d.conn()));
        List<Conn> idleNow = new ArrayList<>();
        idle.values().forEach(d -> d.stream().filter(c -> !gone.contains(c)).forEach(idleNow::add));
        Set<Conn> candidates = new HashSet<>();
        for (Conn c : idleNow) {
            if (idleNow.stream().noneMatch(o -> o != c && o.wentIdleTo.isBefore(c.wentIdleFrom))) {
                candidates.add(c);
            }
        }
        return candidates;
    }

    /** The borrow went as planned; {@code oldest} were closed to make room, {@code made} is the new connection (or null). */
    void borrowed(Endpoint endpoint, Plan plan, List<Conn> oldest, Conn made) {
        if (plan.counted()) {
            borrows.merge(endpoint, 1L, Long::sum);
        }
        plan.discarded().forEach(d -> destroy(d.conn(), d.reason()));
        oldest.forEach(c -> destroy(c, DestroyReason.EVICTED));
        if (plan.outcome() == Outcome.LEND) {
            idle.get(endpoint).remove(plan.lent());
            plan.lent().lent = true;
        } else if (made != null) {
            created.merge(endpoint, 1L, Long::sum);
            made.lent = true;
            if (plan.outcome() == Outcome.FRESH) {
                made.idleSince = now.getAsLong();
            }
            all.add(made);
            byReal.put(made.real, made);
        }
    }

    /** A lease of {@code c} was closed: broken, it is destroyed; else it goes idle, unless maxIdlePerEndpoint are. */
    void returned(Conn c, boolean broken, Instant from, Instant to) {
        c.lent = false;
        Deque<Conn> stack = idle.computeIfAbsent(c.endpoint, e -> new ArrayDeque<>());
        if (broken) {
            destroy(c, DestroyReason.BROKEN);
        } else if (stack.size() >= options.maxIdlePerEndpoint()) {
            destroy(c, DestroyReason.EVICTED);
        } else {
            c.idleSince = now.getAsLong();
            c.wentIdleFrom = from;
            c.wentIdleTo = to;
            stack.addFirst(c);
        }
    }

    /**
     * The idle connections an evictor pass may close, with why ({@code maxIdleTime} is out of reach):
     * those the pool's check finds unusable. It may skip some: commons-pool2 tests as many as are
     * idle, but goes on through the endpoints where the last pass stopped, so it can come to one
     * twice and leave another for the next pass. The others it must leave alone.
     */
    List<Discard> evictable() {
        List<Discard> evictable = new ArrayList<>();
        for (Conn c : idleConnections()) {
            DestroyReason unusable = unusable(c);
            if (unusable != null) {
                evictable.add(new Discard(c, unusable));
            }
        }
        return evictable;
    }

    /** The evictor closed {@code d}. */
    void evicted(Discard d) {
        destroy(d.conn(), d.reason());
    }

    /** The pool was closed with no lease open: every idle connection is destroyed as closed. */
    void closed() {
        List<Conn> left = new ArrayList<>();
        idle.values().forEach(left::addAll);
        left.forEach(c -> destroy(c, DestroyReason.CLOSED));
    }

    private void destroy(Conn c, DestroyReason reason) {
        Deque<Conn> stack = idle.get(c.endpoint);
        if (stack != null) {
            stack.remove(c);
        }
        c.lent = false;
        c.destroyed = true;
        destroyed.computeIfAbsent(c.endpoint, e -> new EnumMap<>(DestroyReason.class)).merge(reason, 1L, Long::sum);
    }

    Conn of(PooledConnection real) {
        return byReal.get(real);
    }

    List<Conn> all() {
        return all;
    }

    List<Conn> idleConnections() {
        List<Conn> list = new ArrayList<>();
        idle.values().forEach(list::addAll);
        return list;
    }

    int idle(Endpoint endpoint) {
        return idle.getOrDefault(endpoint, new ArrayDeque<>()).size();
    }

    int lent(Endpoint endpoint) {
        return (int) all.stream().filter(c -> c.lent && c.endpoint.equals(endpoint)).count();
    }

    int idleCount() {
        return idle.values().stream().mapToInt(Deque::size).sum();
    }

    int lentCount() {
        return (int) all.stream().filter(c -> c.lent).count();
    }

    long created(Endpoint endpoint) {
        return created.getOrDefault(endpoint, 0L);
    }

    long borrows(Endpoint endpoint) {
        return borrows.getOrDefault(endpoint, 0L);
    }

    long destroyed(Endpoint endpoint, DestroyReason reason) {
        return destroyed.getOrDefault(endpoint, new EnumMap<>(DestroyReason.class)).getOrDefault(reason, 0L);
    }
}
