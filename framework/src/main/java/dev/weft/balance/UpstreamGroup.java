package dev.weft.balance;

import dev.weft.client.Endpoint;
import dev.weft.dns.Resolver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A named group of {@link Upstream} servers and how to spread requests over them: nginx's
 * {@code upstream} block.
 *
 * <pre>{@code
 * UpstreamGroup backends = UpstreamGroup.builder("backends")
 *         .add(Upstream.of("10.0.0.1:8080").withWeight(3))
 *         .add(Upstream.of("10.0.0.2:8080"))
 *         .add(Upstream.of("10.0.0.9:8080").withBackup(true))
 *         .strategy(Strategy.LEAST_CONNECTIONS)
 *         .healthCheck(HealthCheck.http("/health").withInterval(Duration.ofSeconds(2)))
 *         .build();
 * try (Pick pick = backends.pick(clientAddress)) { ... }
 * }</pre>
 *
 * <p>A server is available while its active checks pass and it is not sitting out failed requests
 * ({@link Upstream#maxFails}). Backups serve only while no other server is available. A group of a
 * single server never takes it out for failed requests (nginx does the same): there would be
 * nothing to fall back to. Unlike nginx, a server back from failures gets its full weight at once
 * (nginx ramps its effective weight up). {@link #close()} stops the health checks; group names are
 * unique per meter registry while open.
 */
public final class UpstreamGroup implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(UpstreamGroup.class.getName());
    private static final int IP_HASH_TRIES = 20;

    private final String name;
    private final Strategy strategy;
    private final List<Peer> primary;
    private final List<Peer> backups;
    private final List<Peer> all;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final UpstreamMetrics metrics;
    private final HealthChecker checker;
    private boolean closed; // guarded by lock

    private UpstreamGroup(Builder b) {
        this.name = b.name;
        this.strategy = b.strategy;
        this.clock = b.clock;
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
        this.metrics = new UpstreamMetrics(b.registry, name, all, this::availableNow);
        this.checker = b.healthCheck == null ? null : new HealthChecker(name, all, b.healthCheck, b.resolver, metrics);
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

    /** Chooses an available server for a request whose client does not matter (round robin for {@code IP_HASH}). */
    public Pick pick() throws NoLiveUpstreamException {
        return pick(null, Set.of());
    }

    /**
     * Chooses an available server for a request from {@code client} (the client's address, used by
     * {@link Strategy#IP_HASH}; may be null).
     *
     * @throws NoLiveUpstreamException if no server is available
     */
    public Pick pick(InetAddress client) throws NoLiveUpstreamException {
        return pick(client, Set.of());
    }

    /**
     * Chooses an available server other than those in {@code tried} (matched by endpoint): the
     * next one for a request that failed on them (nginx's {@code proxy_next_upstream}).
     *
     * @throws NoLiveUpstreamException if no other server is available
     * @throws IllegalStateException   if the group was closed
     */
    public Pick pick(InetAddress client, Collection<Upstream> tried) throws NoLiveUpstreamException {
        Set<Endpoint> skip = tried.isEmpty() ? Set.of() : new HashSet<>();
        for (Upstream u : tried) {
            skip.add(u.endpoint());
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("upstream group " + name + " is closed");
            }
            long now = clock.getAsLong();
            Peer chosen = choose(primary, client, skip, now);
            if (chosen == null) {
                chosen = choose(backups, null, skip, now);
            }
            if (chosen == null) {
                throw new NoLiveUpstreamException(name);
            }
            chosen.active.incrementAndGet();
            chosen.picked(now);
            return new Pick(this, chosen, now);
        } finally {
            lock.unlock();
        }
    }

    /**
     * True if {@code upstream} (matched by endpoint) would be chosen now: its checks pass and it is
     * not sitting out failures.
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

    void release(Peer peer, boolean failed, long pickedAt) {
        boolean wentOut = false;
        lock.lock();
        try {
            peer.active.decrementAndGet();
            if (failed) {
                wentOut = peer.failed(clock.getAsLong());
            } else {
                peer.succeeded(pickedAt);
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

    private Peer peer(Upstream upstream) {
        for (Peer peer : all) {
            if (peer.upstream.endpoint().equals(upstream.endpoint())) {
                return peer;
            }
        }
        throw new IllegalArgumentException(upstream + " is not in group " + name);
    }

    private Peer choose(List<Peer> tier, InetAddress client, Set<Endpoint> skip, long now) {
        if (tier.isEmpty()) {
            return null;
        }
        if (strategy == Strategy.IP_HASH && client != null) {
            Peer hashed = ipHash(tier, client.getAddress(), skip, now);
            if (hashed != null) {
                return hashed;
            }
        }
        List<Peer> candidates = new ArrayList<>(tier.size());
        for (Peer peer : tier) {
            if (peer.available(now) && !skip.contains(peer.upstream.endpoint())) {
                candidates.add(peer);
            }
        }
        if (strategy == Strategy.LEAST_CONNECTIONS) {
            candidates = leastLoaded(candidates);
        }
        return roundRobin(candidates);
    }

    /** nginx's smooth weighted round robin; null if there are no candidates. */
    private static Peer roundRobin(List<Peer> candidates) {
        Peer best = null;
        int total = 0;
        for (Peer peer : candidates) {
            peer.currentWeight += peer.weight;
            total += peer.weight;
            if (best == null || peer.currentWeight > best.currentWeight) {
                best = peer;
            }
        }
        if (best != null) {
            best.currentWeight -= total;
        }
        return best;
    }

    /** The candidates with the fewest requests in flight per unit of weight (all of them, if tied). */
    private static List<Peer> leastLoaded(List<Peer> candidates) {
        List<Peer> least = new ArrayList<>(candidates.size());
        long bestActive = 0;
        long bestWeight = 1;
        for (Peer peer : candidates) {
            long active = peer.active.get();
            long cmp = least.isEmpty() ? -1 : Long.compare(active * bestWeight, bestActive * peer.weight);
            if (cmp < 0) {
                least.clear();
                bestActive = active;
                bestWeight = peer.weight;
            }
            if (cmp <= 0) {
                least.add(peer);
            }
        }
        return least;
    }

    /**
     * nginx's {@code ip_hash}: the first three octets of an IPv4 address (all of an IPv6 one), a
     * weighted slot from the hash, rehashed while that server is unavailable; null after 20 tries.
     */
    private static Peer ipHash(List<Peer> tier, byte[] address, Set<Endpoint> skip, long now) {
        int length = address.length == 4 ? 3 : address.length;
        int totalWeight = 0;
        for (Peer peer : tier) {
            totalWeight += peer.weight;
        }
        int hash = 89;
        for (int tries = 0; tries < IP_HASH_TRIES; tries++) {
            for (int i = 0; i < length; i++) {
                hash = (hash * 113 + (address[i] & 0xff)) % 6271;
            }
            int w = hash % totalWeight;
            int index = 0;
            while (w >= tier.get(index).weight) {
                w -= tier.get(index).weight;
                index++;
            }
            Peer peer = tier.get(index);
            if (peer.available(now) && !skip.contains(peer.upstream.endpoint())) {
                return peer;
            }
        }
        return null;
    }

    /** Builds an {@link UpstreamGroup}; {@link #build()} starts its health checks, if any. */
    public static final class Builder {

        private final String name;
        private final List<Upstream> upstreams = new ArrayList<>();
        private Strategy strategy = Strategy.ROUND_ROBIN;
        private HealthCheck healthCheck;
        private Resolver resolver = Resolver.system();
        private MeterRegistry registry = Metrics.globalRegistry;
        private LongSupplier clock = System::nanoTime;

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

        /** Active checks for every server; none by default (failed requests still count). */
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

        /** For tests: the time in nanoseconds that {@code failTimeout} is measured against. */
        Builder clock(LongSupplier value) {
            this.clock = Objects.requireNonNull(value, "clock");
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
