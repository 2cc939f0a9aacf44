package dev.weft.client;

import dev.weft.dns.Resolver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;

/**
 * Reused TCP connections per {@link Endpoint}, on commons-pool2's {@code GenericKeyedObjectPool}:
 * the fix for the TIME_WAIT storm of a connection per request.
 *
 * <pre>{@code
 * ConnectionPool pool = new ConnectionPool("backends", PoolOptions.DEFAULTS, Resolver.system(), registry);
 * try (Lease c = pool.acquire(new Endpoint("backend", 8080))) { ... }
 * }</pre>
 *
 * <p>Idle connections are checked before they are lent and every {@code evictionInterval} while
 * idle, without a round trip (see {@link PooledConnection#staleness()}); connections idle longer
 * than {@code maxIdleTime} or older than {@code maxLifetime} are closed. Safe for concurrent use;
 * {@link #acquire} blocks (a virtual thread unmounts) while connecting or waiting for a connection.
 *
 * <p>Why the keyed pool: {@code GenericObjectPool} 2.x runs factory callbacks inside
 * {@code synchronized} and waits in {@code create()} inside it, which pins virtual threads on JDK
 * 21-23. The keyed pool waits on {@code ReentrantLock} conditions; it still waits inside
 * {@code synchronized (makeObjectCountLock)} when an endpoint is at its maximum while another
 * thread is connecting to it, and destroys inside {@code synchronized (pooledObject)} on
 * invalidation, so this pool's callbacks never block there (JDK 24+ does not pin on
 * {@code synchronized} at all).
 */
public final class ConnectionPool implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ConnectionPool.class.getName());
    /** How long a returned connection may stay hot before it goes back to the keyed pool. */
    static final Duration HOT_TTL = Duration.ofSeconds(1);
    private static final LongSupplier SYSTEM_CLOCK = System::nanoTime;

    private final String name;
    private final PoolOptions options;
    private final ConnectionFactory factory;
    private final PoolMetrics metrics;
    private final WriteWatchdog watchdog;
    private final LeaseTracker leases;
    /** Just returned connections, kept out of the keyed pool for a moment (see HotConnections). */
    private final HotConnections hot;
    /** Borrowers inside the keyed pool's borrow now; while there are any, returns go to it, not to {@link #hot}. */
    private final AtomicInteger inKeyedBorrow = new AtomicInteger();
    private final GenericKeyedObjectPool<Endpoint, PooledConnection> pool;

    /** A pool with the defaults, the system resolver and the global meter registry. */
    public ConnectionPool(String name) {
        this(name, PoolOptions.DEFAULTS, Resolver.system(), Metrics.globalRegistry);
    }

    public ConnectionPool(String name, PoolOptions options, Resolver resolver, MeterRegistry registry) {
        this(name, options, resolver, registry, null);
    }

    /**
     * A pool whose every connection runs TLS with {@code tls} (null: plain TCP): the handshake is
     * part of making a connection, bounded by the connect timeout, and a failed one is an
     * {@link IOException} of the acquire ({@code javax.net.ssl.SSLException}). Idle TLS connections
     * are checked for being closed only, not probed with a read (that would take TLS records).
     */
    public ConnectionPool(String name, PoolOptions options, Resolver resolver, MeterRegistry registry, ClientTls tls) {
        this(name, options, resolver, registry, tls, SYSTEM_CLOCK);
    }

    /**
     * As above, reading the ages and idle times of connections ({@code maxLifetime},
     * {@code validateAfterIdle}) from {@code nanoClock}; read and write timeouts and deadlines keep
     * the system's clock, and so does commons-pool2's own {@code maxIdleTime}.
     */
    ConnectionPool(String name, PoolOptions options, Resolver resolver, MeterRegistry registry, ClientTls tls,
            LongSupplier nanoClock) {
        this.name = Objects.requireNonNull(name, "name");
        this.options = Objects.requireNonNull(options, "options");
        this.metrics = new PoolMetrics(registry, name, options.endpointMeters());
        this.leases = new LeaseTracker(this::abandoned);
        // A second at most, and well inside maxIdleTime, which the keyed pool's evictor keeps. A pool
        // on a test's clock keeps none hot: its property test models the keyed pool alone (the hot
        // connections have tests of their own), and a hot one's time would run on two clocks.
        this.hot = new HotConnections(nanoClock == SYSTEM_CLOCK ? options.maxIdlePerEndpoint() : 0,
                Math.min(HOT_TTL.toNanos(), options.maxIdleTime().toNanos() / 2));
        this.watchdog = new WriteWatchdog(name, options.writeTimeout(), options.readTimeout(), () -> {
            leases.reclaim();
            hot.expire(c -> {
                c.fromHot = true; // its idle time started when it went hot, and runs on in the keyed pool
                giveBack(c);
            });
        });
        this.factory = new ConnectionFactory(resolver, options, metrics, watchdog, tls,
                Objects.requireNonNull(nanoClock, "nanoClock"));
        GenericKeyedObjectPoolConfig<PooledConnection> config = new GenericKeyedObjectPoolConfig<>();
        config.setJmxEnabled(false);
        config.setMaxTotalPerKey(options.maxPerEndpoint());
        config.setMaxTotal(options.maxTotal());
        config.setMaxIdlePerKey(options.maxIdlePerEndpoint());
        config.setMinIdlePerKey(options.minIdlePerEndpoint());
        config.setMaxWait(options.borrowTimeout());
        config.setBlockWhenExhausted(true);
        config.setLifo(true);
        config.setTestOnBorrow(true);
        config.setTestWhileIdle(true);
        config.setTimeBetweenEvictionRuns(options.evictionInterval());
        config.setMinEvictableIdleDuration(options.maxIdleTime());
        config.setNumTestsPerEvictionRun(Integer.MAX_VALUE);
        this.pool = new GenericKeyedObjectPool<>(factory, config);
        metrics.stats(new PoolMetrics.Stats() {
            @Override
            public int active(Endpoint endpoint) {
                return endpoint == null ? ConnectionPool.this.active() : ConnectionPool.this.active(endpoint);
            }

            @Override
            public int idle(Endpoint endpoint) {
                return endpoint == null ? ConnectionPool.this.idle() : ConnectionPool.this.idle(endpoint);
            }

            @Override
            public int pending(Endpoint endpoint) {
                return endpoint == null ? pool.getNumWaiters() : pool.getNumWaitersByKey().getOrDefault(endpoint.toString(), 0);
            }
        });
    }

    /**
     * Lends a connection to {@code endpoint}: an idle one that passes the stale check (most
     * recently used first), or a new one, waiting up to {@code borrowTimeout} when the endpoint is
     * at {@code maxPerEndpoint}.
     *
     * @throws PoolExhaustedException when nothing came free in time
     * @throws IOException when connecting failed (the message names the endpoint)
     */
    public Lease acquire(Endpoint endpoint) throws IOException {
        return borrow(endpoint, options.borrowTimeout(), false, false);
    }

    /**
     * Like {@link #acquire}, for an exchange that must be over by {@code deadline}: the borrow wait,
     * the lookup and the connect of a new connection (see {@link ConnectionFactory}) are cut to what
     * is left, and the lease's reads and writes stop at it ({@link Lease#deadline}). When the
     * deadline is what ran out, a {@link DeadlineExceededException} names the step.
     *
     * <p>One wait is not ours to cut: commons-pool2 2.13.0 waits inside {@code create} for another
     * thread's connect to the same endpoint when the endpoint is at its maximum; that wait is bounded
     * by the other connect (the connect timeout, or the other exchange's deadline).
     */
    Lease acquire(Endpoint endpoint, Deadline deadline) throws IOException {
        return acquire(endpoint, deadline, false);
    }

    private Lease acquire(Endpoint endpoint, Deadline deadline, boolean fresh) throws IOException {
        if (deadline.passed()) {
            throw new DeadlineExceededException(HttpClientException.Phase.BORROW, "no time left to borrow a connection to "
                    + endpoint);
        }
        boolean cut = deadline.shorterThan(options.borrowTimeout());
        Duration wait = cut ? Duration.ofNanos(Math.max(1, deadline.leftNanos())) : options.borrowTimeout();
        ConnectionFactory.DEADLINE.set(deadline);
        try {
            Lease lease = borrow(endpoint, wait, cut, fresh);
            lease.deadline(deadline);
            return lease;
        } finally {
            ConnectionFactory.DEADLINE.remove();
        }
    }

    /**
     * Borrows, waiting at most {@code wait}; {@code byDeadline}: that wait is the deadline's, not the
     * borrow timeout; {@code fresh}: the connection {@link #addFresh} just made, so no hot one.
     */
    private Lease borrow(Endpoint endpoint, Duration wait, boolean byDeadline, boolean fresh) throws IOException {
        long start = System.nanoTime();
        PooledConnection c = fresh ? null : takeHot(endpoint);
        if (c != null) {
            metrics.waited(endpoint, System.nanoTime() - start);
            return new Lease(this, c, true);
        }
        inKeyedBorrow.incrementAndGet();
        try {
            // Announced, then looked again: a return that missed the announcement (see release) put
            // its connection where this look finds it.
            c = fresh ? null : takeHot(endpoint);
            if (c == null) {
                c = pool.borrowObject(endpoint, wait);
            }
        } catch (NoSuchElementException e) {
            PoolExhaustedException exhausted = new PoolExhaustedException(endpoint, Duration.ofNanos(System.nanoTime() - start),
                    pool.getNumActive(endpoint), pool.getNumIdle(endpoint),
                    pool.getNumWaitersByKey().getOrDefault(endpoint.toString(), 0), options.maxPerEndpoint());
            if (byDeadline) {
                DeadlineExceededException cutOff = new DeadlineExceededException(HttpClientException.Phase.BORROW,
                        exhausted.getMessage());
                cutOff.initCause(exhausted);
                throw cutOff;
            }
            throw exhausted;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot lend a connection to " + endpoint + ": " + e, e);
        } finally {
            inKeyedBorrow.decrementAndGet();
            metrics.waited(endpoint, System.nanoTime() - start);
        }
        return new Lease(this, c, c.wasIdle());
    }

    /** A usable hot connection to {@code endpoint}, or null; unusable ones met on the way are closed. */
    private PooledConnection takeHot(Endpoint endpoint) {
        for (PooledConnection c; (c = hot.poll(endpoint)) != null; ) {
            if (factory.usable(c)) {
                return c;
            }
            invalidate(c); // expired or stale: usable() set the reason
        }
        return null;
    }

    /** Opens connections to {@code endpoint} until {@code minIdlePerEndpoint} are idle, before the first request. */
    public void prewarm(Endpoint endpoint) throws IOException {
        try {
            pool.preparePool(endpoint);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot prewarm " + endpoint + ": " + e, e);
        }
    }

    /** Connections to {@code endpoint} lent out now. */
    public int active(Endpoint endpoint) {
        return pool.getNumActive(endpoint) - hot.size(endpoint);
    }

    /** Idle connections to {@code endpoint}. */
    public int idle(Endpoint endpoint) {
        return pool.getNumIdle(endpoint) + hot.size(endpoint);
    }

    /** Connections lent out now, all endpoints. */
    public int active() {
        return pool.getNumActive() - hot.size(null);
    }

    /** Idle connections, all endpoints. */
    public int idle() {
        return pool.getNumIdle() + hot.size(null);
    }

    public String name() {
        return name;
    }

    public PoolOptions options() {
        return options;
    }

    /** Closes idle connections now and lent ones when they come back; removes the meters. */
    @Override
    public void close() {
        factory.closing = true;
        hot.drain(c -> {
            c.destroyReason = PooledConnection.DestroyReason.CLOSED;
            invalidate(c);
        });
        pool.close();
        watchdog.close();
        metrics.close();
    }

    /**
     * Like {@link #acquire}, but opens a new connection first (unless the endpoint is at its
     * maximum), for a retry that must not meet another stale keep-alive connection.
     */
    public Lease acquireFresh(Endpoint endpoint) throws IOException {
        addFresh(endpoint);
        return borrow(endpoint, options.borrowTimeout(), false, true);
    }

    /** {@link #acquireFresh(Endpoint)} within a deadline, as {@link #acquire(Endpoint, Deadline)}. */
    Lease acquireFresh(Endpoint endpoint, Deadline deadline) throws IOException {
        ConnectionFactory.DEADLINE.set(deadline);
        try {
            addFresh(endpoint);
        } finally {
            ConnectionFactory.DEADLINE.remove();
        }
        return acquire(endpoint, deadline, true);
    }

    private void addFresh(Endpoint endpoint) throws IOException {
        try {
            pool.addObject(endpoint);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot connect to " + endpoint + ": " + e, e);
        }
    }

    LeaseTracker leases() {
        return leases;
    }

    /** Runs one eviction pass now, on this thread: what the evictor does every {@code evictionInterval}. */
    void evict() throws Exception {
        pool.evict();
    }

    /** Connections kept hot now (for tests). */
    int hotConnections() {
        return hot.size(null);
    }

    /** A lease was dropped without close(): its connection is closed (its state is unknown) and it is said. */
    private void abandoned(LeaseTracker.Tracked t) {
        metrics.abandoned();
        LOG.log(Level.WARNING, () -> name + ": a lease of " + t.connection.endpoint() + " (taken by " + t.borrower
                + ") was dropped without close(); its connection is closed now. Close every lease, with try-with-resources");
        release(t.connection, true);
    }

    void release(PooledConnection c, boolean broken) {
        if (!broken) {
            c.readTimeout((int) Math.min(Integer.MAX_VALUE, options.readTimeout().toMillis())); // a lease may have changed it
            c.deadline(0);
        }
        if (!broken && !factory.closing && inKeyedBorrow.get() == 0 && hot.offer(c)) {
            // No borrower was in the keyed pool, where one may wait: the next borrow takes it from
            // here. One that came in since (it announces itself, then looks here) may have missed
            // it: hand one hot connection to the keyed pool, which wakes it. Announce-then-look on
            // one side and offer-then-look on the other: each sees the other, so no waiter is missed.
            if (inKeyedBorrow.get() > 0) {
                PooledConnection back = hot.poll(c.endpoint());
                if (back != null) {
                    back.fromHot = true;
                    giveBack(back);
                }
            }
            return;
        }
        if (broken) {
            c.destroyReason = PooledConnection.DestroyReason.BROKEN;
            invalidate(c);
        } else {
            giveBack(c);
        }
    }

    /** Returns a connection to the keyed pool (from a lease, or hot long enough). */
    private void giveBack(PooledConnection c) {
        try {
            pool.returnObject(c.endpoint(), c);
        } catch (IllegalStateException e) {
            LOG.log(Level.DEBUG, "{0}: {1} was no longer in the pool: {2}", name, c, e.getMessage());
        } catch (Exception e) {
            throw new UncheckedIOException(new IOException("cannot return " + c + " to pool " + name, e));
        }
    }

    /** Closes a connection the keyed pool counts as lent; its destroyReason says why. */
    private void invalidate(PooledConnection c) {
        try {
            pool.invalidateObject(c.endpoint(), c);
        } catch (IllegalStateException e) {
            LOG.log(Level.DEBUG, "{0}: {1} was no longer in the pool: {2}", name, c, e.getMessage());
        } catch (Exception e) {
            throw new UncheckedIOException(new IOException("cannot return " + c + " to pool " + name, e));
        }
    }

    @Override
    public String toString() {
        return "ConnectionPool " + name + " (" + pool.getNumActive() + " lent, " + pool.getNumIdle() + " idle)";
    }
}
