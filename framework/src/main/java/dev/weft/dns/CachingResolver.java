package dev.weft.dns;

import dev.weft.dns.DnsMetrics.FailureKind;
import dev.weft.dns.DnsMetrics.Result;
import dev.weft.internal.BackgroundThreads;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * A {@link Resolver} that caches another's answers, so that a slow or failing DNS server costs a
 * lookup now and then instead of on every connection.
 *
 * <pre>{@code
 * CachingResolver dns = new CachingResolver("upstreams", Resolver.system(), ResolverOptions.DEFAULTS, registry);
 * List<InetAddress> addresses = dns.resolve("backend.internal");   // blocks at most lookupTimeout
 * }</pre>
 *
 * <p>What it does, with the {@link ResolverOptions} that govern it:
 * <ul>
 * <li><b>TTLs.</b> An answer is served for {@code positiveTtl}; an "unknown host" is remembered for
 *     {@code negativeTtl} and rethrown as a new exception saying it was cached.</li>
 * <li><b>Single-flight.</b> Concurrent lookups of one name share one backend query.</li>
 * <li><b>Lookup timeout.</b> A caller waits at most {@code lookupTimeout}, then gets an
 *     {@link UnknownHostException} naming the host and the wait. The query runs on a virtual thread
 *     of its own and is left to finish: an answer arriving later is still cached, and until it
 *     arrives new callers join that query rather than start another.</li>
 * <li><b>Stale-if-error.</b> When a query fails or times out, an answer expired less than
 *     {@code staleIfError} ago is served instead, and keeps being served without asking again for
 *     {@code negativeTtl}. The backend's "unknown host" counts as a failure here: {@code getaddrinfo}
 *     reports a broken DNS server ({@code EAI_AGAIN}) the same way.</li>
 * <li><b>Refresh-ahead.</b> A name used in the last {@code refreshAheadFraction} of its TTL is
 *     refreshed in the background (once per answer; again after {@code negativeTtl} if that failed),
 *     so a name in steady use never waits for its expiry.</li>
 * <li><b>Bounded.</b> At most {@code maxNames} names, the least recently used dropped first; names
 *     longer than {@value #MAX_NAME_LENGTH} characters are refused without a query.</li>
 * </ul>
 *
 * <p>Names are case-insensitive: the backend is asked for the lower-case form.
 *
 * <p><b>Two caches.</b> {@link Resolver#system()} asks {@link InetAddress}, which keeps answers in a
 * cache of its own (30 s unless {@code networkaddress.cache.ttl} or {@code -Dsun.net.inetaddr.ttl}
 * says otherwise), so an answer can be that much older than {@code positiveTtl} when it is served.
 * Start the JVM with {@code -Dsun.net.inetaddr.ttl=0} (the {@code ./weft} launcher does) to leave
 * caching to this class; until then the first one built over the system resolver says so once in
 * the log.
 *
 * <p>Meters (Micrometer, tag {@code resolver=<name>}):
 * {@code weft.dns.lookups{result=hit|miss|stale|negative_hit}} once per call;
 * {@code weft.dns.lookup.duration} per backend query;
 * {@code weft.dns.failures{kind=unknown_host|timeout|overloaded|error}} per failed backend query;
 * {@code weft.dns.cache.size}; {@code weft.dns.cache.evictions}.
 *
 * <p>Thread-safe. {@link #resolve} blocks only on a cache miss, for at most {@code lookupTimeout};
 * no lock is held while it waits. {@link #close()} removes the meters; lookups still work, unmetered.
 */
public final class CachingResolver implements Resolver, AutoCloseable {

    /** The longest name DNS can carry (RFC 1035); anything longer is refused before it fills the cache. */
    public static final int MAX_NAME_LENGTH = 255;

    private static final System.Logger LOG = System.getLogger(CachingResolver.class.getName());

    private final String name;
    private final Resolver backend;
    private final ResolverOptions options;
    private final LongSupplier nanoClock;
    private final EntryCache cache;
    private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();
    private final DnsMetrics metrics;
    /** Whether the JDK's own cache under {@link Resolver#system()} was reported: once per process. */
    private static final AtomicBoolean JDK_CACHE_REPORTED = new AtomicBoolean();

    /** A resolver over {@code backend} with {@link ResolverOptions#DEFAULTS}, metered in the global registry. */
    public CachingResolver(String name, Resolver backend) {
        this(name, backend, ResolverOptions.DEFAULTS, Metrics.globalRegistry);
    }

    /**
     * A resolver over {@code backend}.
     *
     * @param name     the value of the {@code resolver} tag on its meters, and part of its threads' names
     * @param backend  the resolver asked on a miss, such as {@link Resolver#system()}
     * @param options  TTLs, limits and timeout
     * @param registry where the meters go
     */
    public CachingResolver(String name, Resolver backend, ResolverOptions options, MeterRegistry registry) {
        this(name, backend, options, registry, System::nanoTime);
    }

    /** As above, reading time (for TTLs, not for the lookup timeout) from {@code nanoClock}. */
    CachingResolver(String name, Resolver backend, ResolverOptions options, MeterRegistry registry,
            LongSupplier nanoClock) {
        this.name = Objects.requireNonNull(name, "name");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.options = Objects.requireNonNull(options, "options");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.cache = new EntryCache(options.maxNames(), this::evicted);
        this.metrics = new DnsMetrics(Objects.requireNonNull(registry, "registry"), name, cache::size);
        if (backend instanceof SystemResolver) {
            reportJdkCache(name, options);
        }
    }

    /**
     * Says once per process that the JDK caches lookups too, when it does: an answer can then be up
     * to that much older than {@code positiveTtl} says. The launcher starts the JVM with
     * {@code -Dsun.net.inetaddr.ttl=0}, leaving caching to this class.
     */
    static boolean reportJdkCache(String name, ResolverOptions options) {
        int jdk = JdkAddressCache.positiveSeconds();
        if (jdk == 0 || !JDK_CACHE_REPORTED.compareAndSet(false, true)) {
            return false;
        }
        LOG.log(Level.INFO, () -> "resolver " + name + ": the JDK keeps lookups " + (jdk < 0 ? "forever" : jdk + " s")
                + " in a cache of its own (networkaddress.cache.ttl), so an answer can be that much older than positiveTtl ("
                + options.positiveTtl().toSeconds() + " s); start the JVM with -Dsun.net.inetaddr.ttl=0 to leave caching"
                + " to this resolver");
        return true;
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        Objects.requireNonNull(host, "host");
        if (host.length() > MAX_NAME_LENGTH) {
            throw new UnknownHostException("host name longer than " + MAX_NAME_LENGTH + " characters");
        }
        String key = host.toLowerCase(Locale.ROOT);
        CacheEntry entry = cache.get(key);
        if (entry != null) {
            List<InetAddress> cached = fromCache(key, entry, nanoClock.getAsLong());
            if (cached != null) {
                return cached;
            }
        }
        return fromBackend(key, entry);
    }

    /** The answer {@code entry} gives at {@code now}, or {@code null} when the backend must be asked. */
    private List<InetAddress> fromCache(String key, CacheEntry entry, long now) throws UnknownHostException {
        if (entry.isNegative()) {
            if (!entry.isFresh(now)) {
                return null;
            }
            metrics.lookup(Result.NEGATIVE_HIT);
            throw entry.cachedFailure(key, now);
        }
        if (entry.isFresh(now)) {
            metrics.lookup(Result.HIT);
            if (entry.inRefreshWindow(now) && !entry.inRetryBackoff(now) && entry.claimRefresh()) {
                flight(key);
            }
            return entry.addresses();
        }
        if (entry.canServeStale(now) && entry.inRetryBackoff(now)) {
            metrics.lookup(Result.STALE);
            return entry.addresses();
        }
        return null;
    }

    /** Asks the backend (or joins the query in flight); on failure falls back to {@code entry} if still usable. */
    private List<InetAddress> fromBackend(String key, CacheEntry entry) throws UnknownHostException {
        try {
            List<InetAddress> addresses = await(key, flight(key));
            metrics.lookup(Result.MISS);
            return addresses;
        } catch (UnknownHostException e) {
            if (entry != null && entry.canServeStale(nanoClock.getAsLong())) {
                metrics.lookup(Result.STALE);
                LOG.log(Level.DEBUG, () -> "dns " + name + ": stale answer for " + key + ": " + e.getMessage());
                return entry.addresses();
            }
            metrics.lookup(Result.MISS);
            throw e;
        }
    }

    private List<InetAddress> await(String key, Flight flight) throws UnknownHostException {
        try {
            return flight.answer.get(options.lookupTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (flight.firstFailure()) {
                metrics.failure(FailureKind.TIMEOUT);
            }
            remember(key, null);
            UnknownHostException timedOut = new UnknownHostException(
                    key + ": lookup timed out after " + options.lookupTimeout().toMillis() + " ms");
            LOG.log(Level.DEBUG, () -> "dns " + name + ": " + timedOut.getMessage());
            throw timedOut;
        } catch (ExecutionException e) {
            // Flights fail only with UnknownHostException (see query); callers each get their own copy.
            UnknownHostException copy = new UnknownHostException(e.getCause().getMessage());
            copy.initCause(e.getCause());
            throw copy;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnknownHostException(key + ": interrupted while waiting for the lookup");
        }
    }

    /**
     * The query for {@code key} in flight, started now if there is none: concurrent callers share one.
     * A query outlives the callers that gave up on it (so a slow answer is still cached, and a name
     * never has more than one query running); it leaves the map when the backend returns.
     */
    private Flight flight(String key) {
        Flight mine = new Flight();
        Flight current = flights.putIfAbsent(key, mine);
        if (current != null) {
            return current;
        }
        BackgroundThreads.builder().name("weft-dns-" + name).start(() -> {
            try {
                query(key, mine);
            } finally {
                flights.remove(key, mine); // also when the backend threw an Error
            }
        });
        return mine;
    }

    /**
     * Runs one backend query on its own virtual thread; records the outcome in the cache and takes the
     * flight out of the map before completing it, so the next caller sees the new state.
     */
    private void query(String key, Flight flight) {
        List<InetAddress> answer;
        long started = System.nanoTime();
        try {
            answer = backend.resolve(key);
            if (answer == null || answer.isEmpty()) {
                throw new UnknownHostException(key + ": no addresses");
            }
            answer = List.copyOf(answer);
        } catch (UnknownHostException e) {
            FailureKind kind = e instanceof ResolverOverloadedException
                    ? FailureKind.OVERLOADED : FailureKind.UNKNOWN_HOST;
            failed(key, flight, e, kind);
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "dns " + name + ": resolver failed on " + key, e);
            UnknownHostException wrapped = new UnknownHostException(key + ": lookup failed: " + e);
            wrapped.initCause(e);
            failed(key, flight, wrapped, FailureKind.ERROR);
            return;
        } finally {
            metrics.queried(System.nanoTime() - started);
        }
        cache.put(key, CacheEntry.positive(answer, nanoClock.getAsLong(), options));
        flights.remove(key, flight); // before completing: a caller woken now and asking again must not join it
        flight.answer.complete(answer);
    }

    private void failed(String key, Flight flight, UnknownHostException failure, FailureKind kind) {
        remember(key, kind == FailureKind.UNKNOWN_HOST ? failure : null);
        if (flight.firstFailure()) { // not already counted as a timeout
            metrics.failure(kind);
        }
        LOG.log(Level.DEBUG, () -> "dns " + name + ": " + failure.getMessage());
        flights.remove(key, flight);
        flight.answer.completeExceptionally(failure);
    }

    /**
     * Records a failed query: a usable answer is kept and served for {@code negativeTtl} without
     * asking again; otherwise {@code unknown}, if given, is cached as a negative answer.
     */
    private void remember(String key, UnknownHostException unknown) {
        long now = nanoClock.getAsLong();
        cache.update(key, old -> {
            if (old != null && old.canServeStale(now)) {
                return old.retryAfter(now + options.negativeTtl().toNanos());
            }
            if (unknown != null && !options.negativeTtl().isZero()) {
                return CacheEntry.negative(unknown.getMessage(), now, options);
            }
            return old;
        });
    }

    private void evicted() {
        metrics.evictions.increment();
    }

    @Override
    public void close() {
        metrics.close();
    }

    @Override
    public String toString() {
        return "CachingResolver[" + name + ", " + backend + ", " + options + "]";
    }

    /** One backend query and the callers waiting for it; its failure is counted once, whoever sees it first. */
    private static final class Flight {
        final CompletableFuture<List<InetAddress>> answer = new CompletableFuture<>();
        private final AtomicBoolean failureCounted = new AtomicBoolean();

        boolean firstFailure() {
            return failureCounted.compareAndSet(false, true);
        }
    }
}
