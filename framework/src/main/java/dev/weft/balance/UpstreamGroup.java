package dev.weft.balance;

import dev.weft.client.Endpoint;
import dev.weft.dns.Resolver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * A named group of {@link Upstream} servers and how to spread requests over them: nginx's
 * {@code upstream} block.
 *
 * <pre>{@code
 * UpstreamGroup backends = UpstreamGroup.builder("backends")
 *         .add(Upstream.of("10.0.0.1:8080").withWeight(3).withMaxConns(200))
 *         .add(Upstream.of("10.0.0.2:8080"))
 *         .add(Upstream.of("10.0.0.9:8080").withBackup(true))
 *         .strategy(Strategy.CONSISTENT_HASH)
 *         .healthCheck(HealthCheck.http("/health").withInterval(Duration.ofSeconds(2)))
 *         .build();
 * try (Pick pick = backends.pick(clientAddress, request.path(), List.of())) { ... }
 * }</pre>
 *
 * <p>A server is available while it is not {@code down}, its active checks pass and it is not
 * sitting out failed requests ({@link Upstream#maxFails}); it may take a request while it is also
 * below its {@link Upstream#maxConns} and was not tried for that request yet. Backups serve only
 * while no other server may take the request (at {@code max_conns} included, as in nginx). When no
 * server may, {@code pick} throws {@link NoLiveUpstreamException} at once: there is no queue.
 * A group of a single server never takes it out for failed requests (nginx does the same): there
 * would be nothing to fall back to. Unlike nginx, a server back from failures gets its full weight
 * at once (nginx ramps its effective weight up).
 *
 * <p>Thread-safe. A pick takes a short lock around the choice and never blocks on I/O; the health
 * checks run on virtual threads of their own. {@link #status()} is a snapshot per server for a
 * status page. {@link #close()} stops the health checks; group names are unique per meter
 * registry while open.
 */
public final class UpstreamGroup implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(UpstreamGroup.class.getName());

    private final String name;
    private final Strategy strategy;
    private final List<Peer> primary;
    private final List<Peer> backups;
    private final List<Peer> all;
    private final HashRing ring;
    private final LongSupplier clock;
    private final InstantSource wallClock;
    private final RandomGenerator random; // guarded by lock
    private final ReentrantLock lock = new ReentrantLock();
    private final UpstreamMetrics metrics;
    private final HealthChecker checker;
    private boolean closed; // guarded by lock

    private UpstreamGroup(Builder b) {
        this.name = b.name;
        this.strategy = b.strategy;
        this.clock = b.clock;
        this.wallClock = b.wallClock;
        this.random = b.random;
        boolean passive = b.upstreams.size() > 1;
        List<Peer> p = new ArrayList<>();
        List<Peer> k = new ArrayList<>();
        for (Upstream u : b.upstreams) {
            (u.backup() ? k : p).add(new Peer(u, passive));
        }
        this.primary = List.copyOf(p);
        this.backups = List.copyOf(k);
        List<Peer> both = new ArrayList<>(p);
        both.addAll(k);
        this.all = List.copyOf(both);
        this.ring = strategy == Strategy.CONSISTENT_HASH ? HashRing.of(primary) : null;
        this.metrics = new UpstreamMetrics(b.registry, name, all, this::availableNow);
        this.checker = b.healthCheck == null ? null
                : new HealthChecker(name, all, b.healthCheck, b.resolver, metrics, clock, random);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public Strategy strategy() {
        return strategy;
    }

    /** The servers, primaries first, in the order they were added. */
    public List<Upstream> upstreams() {
        return all.stream().map(peer -> peer.upstream).toList();
    }

    /** Chooses a server for a request whose client and key do not matter (round robin for the hash strategies). */
    public Pick pick() throws NoLiveUpstreamException {
        return pick(null, null, Set.of());
    }

    /**
     * Chooses a server for a request from {@code client} (the client's address, used by
     * {@link Strategy#IP_HASH}; may be null).
     *
     * @throws NoLiveUpstreamException if no server may take the request
     */
    public Pick pick(InetAddress client) throws NoLiveUpstreamException {
        return pick(client, null, Set.of());
    }

    /**
     * Chooses a server other than those in {@code tried} (matched by endpoint): the next one for a
     * request that failed on them (nginx's {@code proxy_next_upstream}). No hash key: the
     * {@code HASH} strategies go round robin.
     *
     * @throws NoLiveUpstreamException if no other server may take the request
     * @throws IllegalStateException   if the group was closed
     */
    public Pick pick(InetAddress client, Collection<Upstream> tried) throws NoLiveUpstreamException {
        return pick(client, null, tried);
    }

    /**
     * Chooses a server other than those in {@code tried} (matched by endpoint) for a request from
     * {@code client} (used by {@link Strategy#IP_HASH}; may be null) with the hash key
     * {@code hashKey} (nginx's {@code hash KEY} evaluated for this request, used by
     * {@link Strategy#HASH} and {@link Strategy#CONSISTENT_HASH}, ignored by the others; null or
     * empty goes round robin, as an empty key does in nginx). A retry passes the same key and the
     * servers tried: the consistent hash then takes the next server along the ring.
     *
     * @throws NoLiveUpstreamException if no server may take the request; its message says when the
     *                                 servers in service were all at their {@code max_conns}
     * @throws IllegalStateException   if the group was closed
     */
    public Pick pick(InetAddress client, String hashKey, Collection<Upstream> tried) throws NoLiveUpstreamException {
        Set<Endpoint> skip = tried.isEmpty() ? Set.of() : new HashSet<>();
        for (Upstream u : tried) {
            skip.add(u.endpoint());
        }
        String key = hashKey == null || hashKey.isEmpty() ? null : hashKey;
        Peer chosen;
        long now;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("upstream group " + name + " is closed");
            }
            now = clock.getAsLong();
            chosen = choose(primary, false, client, key, skip, now);
            if (chosen == null) {
                chosen = choose(backups, true, null, null, skip, now);
            }
            if (chosen == null) {
                throw noLiveUpstream(skip, now);
            }
            chosen.active.incrementAndGet();
            chosen.picked(now);
        } finally {
            lock.unlock();
        }
        metrics.picked(chosen);
        return new Pick(this, chosen, now);
    }

    /**
     * True if {@code upstream} (matched by endpoint) is in service now: not {@code down}, its checks
     * pass and it is not sitting out failures ({@code max_conns} aside).
     */
    public boolean isAvailable(Upstream upstream) {
        return availableNow(peer(upstream));
    }

    private boolean availableNow(Peer peer) {
        lock.lock();
        try {
            return peer.available(clock.getAsLong());
        } finally {
            lock.unlock();
        }
    }

    /** Requests in flight on {@code upstream} (matched by endpoint): picks not yet closed. */
    public int inFlight(Upstream upstream) {
        return peer(upstream).active.get();
    }

    /**
     * A snapshot of every server, primaries first, in the order they were added: state, picks in
     * flight and in all, failures by kind, health transitions, the last response time. For a status
     * page; one short lock, no I/O.
     */
    public List<UpstreamStatus> status() {
        List<UpstreamStatus> list = new ArrayList<>(all.size());
        lock.lock();
        try {
            long now = clock.getAsLong();
            Instant wallNow = wallClock.instant();
            for (Peer peer : all) {
                long transitions = peer.transitions.get();
                long last = peer.lastTransition;
                long response = peer.lastResponseNanos;
                list.add(new UpstreamStatus(peer.upstream, state(peer, now), peer.active.get(), peer.picks.get(),
                        peer.requestFailures.get(), peer.checkFailures.get(), transitions,
                        transitions == 0 ? null : wallNow.minusNanos(now - last),
                        response < 0 ? null : Duration.ofNanos(response), peer.checkProblem));
            }
        } finally {
            lock.unlock();
        }
        return List.copyOf(list);
    }

    private static UpstreamStatus.State state(Peer peer, long now) {
        if (peer.upstream.down()) {
            return UpstreamStatus.State.DOWN;
        }
        if (!peer.checkedUp) {
            return UpstreamStatus.State.UNHEALTHY;
        }
        if (peer.sittingOut(now)) {
            return UpstreamStatus.State.FAILED;
        }
        return peer.upstream.backup() ? UpstreamStatus.State.BACKUP : UpstreamStatus.State.UP;
    }

    /**
     * Stops the health checks and removes the group's meters; {@code pick} refuses from now on.
     * Picks still open may be closed later.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        if (checker != null) {
            checker.close();
        }
        metrics.close();
    }

    /** Ends a pick: {@code responseNanos} is what the caller reported, or negative for none. */
    void release(Peer peer, boolean failed, long pickedAt, long responseNanos) {
        boolean wentOut = false;
        lock.lock();
        try {
            long now = clock.getAsLong();
            peer.active.decrementAndGet();
            if (failed) {
                wentOut = peer.failed(now);
                if (wentOut) {
                    peer.transition(now);
                }
            } else {
                peer.succeeded(pickedAt);
            }
            if (responseNanos >= 0) {
                peer.lastResponseNanos = responseNanos;
            } else if (!failed) {
                peer.lastResponseNanos = Math.max(0, now - pickedAt);
            }
        } finally {
            lock.unlock();
        }
        if (failed) {
            metrics.requestFailed(peer);
        }
        if (wentOut) {
            Upstream u = peer.upstream;
            LOG.log(Level.WARNING, "upstream " + u + " of " + name + " is out of service for "
                    + u.failTimeout().toMillis() + " ms after " + u.maxFails()
                    + (u.maxFails() == 1 ? " failed request" : " failed requests"));
        }
    }

    /** The peer of {@code upstream}, matched by endpoint. */
    Peer peer(Upstream upstream) {
        for (Peer peer : all) {
            if (peer.upstream.endpoint().equals(upstream.endpoint())) {
                return peer;
            }
        }
        throw new IllegalArgumentException(upstream + " is not in group " + name);
    }

    /** The health checker, or null without checks. */
    HealthChecker checker() {
        return checker;
    }

    private Peer choose(List<Peer> tier, boolean backup, InetAddress client, String key, Set<Endpoint> tried,
            long now) {
        if (tier.isEmpty()) {
            return null;
        }
        if (!backup) {
            if (strategy == Strategy.IP_HASH && client != null) {
                Peer hashed = Picker.ipHash(tier, client.getAddress(), now, tried);
                if (hashed != null) {
                    return hashed;
                }
            } else if (strategy == Strategy.HASH && key != null) {
                Peer hashed = Picker.hash(tier, key, now, tried);
                if (hashed != null) {
                    return hashed;
                }
            } else if (strategy == Strategy.CONSISTENT_HASH && key != null) {
                return Picker.consistentHash(tier, ring, key, now, tried); // it looked at every server
            }
        }
        List<Peer> candidates = Picker.eligible(tier, now, tried);
        return switch (strategy) {
            case LEAST_CONNECTIONS -> Picker.roundRobin(Picker.leastLoaded(candidates));
            case RANDOM -> Picker.random(candidates, random);
            case RANDOM_TWO -> Picker.randomTwo(candidates, random);
            default -> Picker.roundRobin(candidates);
        };
    }

    private NoLiveUpstreamException noLiveUpstream(Set<Endpoint> tried, long now) {
        for (Peer peer : all) {
            if (peer.available(now) && !tried.contains(peer.endpoint())) {
                // In service and not tried, yet not eligible: it is at its max_conns, and so is every other such.
                return new NoLiveUpstreamException(name, "all servers in service are at max_conns");
            }
        }
        return new NoLiveUpstreamException(name);
    }

    /** Builds an {@link UpstreamGroup}; {@link #build()} starts its health checks, if any. Not thread-safe. */
    public static final class Builder {

        private final String name;
        private final List<Upstream> upstreams = new ArrayList<>();
        private Strategy strategy = Strategy.ROUND_ROBIN;
        private HealthCheck healthCheck;
        private Resolver resolver = Resolver.system();
        private MeterRegistry registry = Metrics.globalRegistry;
        private LongSupplier clock = System::nanoTime;
        private InstantSource wallClock = InstantSource.system();
        private RandomGenerator random = new SplittableRandom();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder add(Upstream upstream) {
            Objects.requireNonNull(upstream, "upstream");
            for (Upstream u : upstreams) {
                if (u.endpoint().equals(upstream.endpoint())) {
                    throw new IllegalArgumentException(upstream + " is in group " + name + " twice");
                }
            }
            upstreams.add(upstream);
            return this;
        }

        /** {@code host:port} with nginx's defaults. */
        public Builder add(String hostAndPort) {
            return add(Upstream.of(hostAndPort));
        }

        public Builder strategy(Strategy value) {
            this.strategy = Objects.requireNonNull(value, "strategy");
            return this;
        }

        /** Active checks for every server not {@code down}; none by default (failed requests still count). */
        public Builder healthCheck(HealthCheck value) {
            this.healthCheck = value;
            return this;
        }

        /** Resolves the servers' host names for the health checks; the system resolver by default. */
        public Builder resolver(Resolver value) {
            this.resolver = Objects.requireNonNull(value, "resolver");
            return this;
        }

        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        /** For tests: the time in nanoseconds that {@code failTimeout} and response times are measured against. */
        Builder clock(LongSupplier value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** For tests: the wall clock that dates {@link UpstreamStatus#lastTransition()}. */
        Builder wallClock(InstantSource value) {
            this.wallClock = Objects.requireNonNull(value, "wallClock");
            return this;
        }

        /** For tests: the random source of the {@code RANDOM} strategies and the health checks' first delays. */
        Builder random(RandomGenerator value) {
            this.random = Objects.requireNonNull(value, "random");
            return this;
        }

        public UpstreamGroup build() {
            if (upstreams.stream().noneMatch(u -> !u.backup())) {
                throw new IllegalArgumentException("group " + name + " needs at least one server that is not a backup");
            }
            UpstreamGroup group = new UpstreamGroup(this);
            if (group.checker != null) {
                group.checker.start();
            }
            return group;
        }
    }
}
