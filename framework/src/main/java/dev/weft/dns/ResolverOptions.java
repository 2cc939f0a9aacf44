package dev.weft.dns;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link CachingResolver}, immutable; change one with a {@code withX} copy.
 *
 * <table>
 * <caption>Limits and their defaults</caption>
 * <tr><th>setting</th><th>default</th><th>what it bounds</th><th>metric</th></tr>
 * <tr><td>{@code positiveTtl}</td><td>30 seconds</td><td>how long an answer is served without asking
 *     again</td><td>{@code weft.dns.lookups{result=hit|miss}}</td></tr>
 * <tr><td>{@code negativeTtl}</td><td>10 seconds</td><td>how long "unknown host" is remembered, and how
 *     long after a failed lookup a stale answer is served before asking again; 0 remembers
 *     nothing</td><td>{@code weft.dns.lookups{result=negative_hit}}</td></tr>
 * <tr><td>{@code staleIfError}</td><td>5 minutes</td><td>how long past its TTL an answer may stand in
 *     when the lookup fails or times out; 0 never serves stale</td>
 *     <td>{@code weft.dns.lookups{result=stale}}</td></tr>
 * <tr><td>{@code lookupTimeout}</td><td>5 seconds</td><td>how long a caller waits for the backend</td>
 *     <td>{@code weft.dns.failures{kind=timeout}}</td></tr>
 * <tr><td>{@code maxNames}</td><td>{@value #DEFAULT_MAX_NAMES}</td><td>names kept; the least recently
 *     used is dropped first</td><td>{@code weft.dns.cache.size}, {@code weft.dns.cache.evictions}</td></tr>
 * <tr><td>{@code refreshAheadFraction}</td><td>{@value #DEFAULT_REFRESH_AHEAD_FRACTION}</td><td>a name
 *     used in this last part of its TTL is refreshed in the background; 0 turns it off</td>
 *     <td>{@code weft.dns.lookup.duration}</td></tr>
 * </table>
 *
 * @param positiveTtl          how long an answer stays fresh
 * @param negativeTtl          how long a failure is remembered
 * @param staleIfError         how long past expiry an answer may be served when lookups fail
 * @param lookupTimeout        how long a caller waits for one backend lookup
 * @param maxNames             how many names the cache holds
 * @param refreshAheadFraction the last part of the TTL, 0 (off) to below 1, in which use triggers a refresh
 */
public record ResolverOptions(
        Duration positiveTtl,
        Duration negativeTtl,
        Duration staleIfError,
        Duration lookupTimeout,
        int maxNames,
        double refreshAheadFraction) {

    /** The JDK's own default ({@code networkaddress.cache.ttl}); short enough to follow a DNS fail-over. */
    public static final Duration DEFAULT_POSITIVE_TTL = Duration.ofSeconds(30);
    /** Absorbs a retry storm on a missing name without hiding a fixed record for long (the JDK uses 10 s). */
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(10);
    /** Rides out a DNS outage of a few minutes; addresses rarely move that fast. */
    public static final Duration DEFAULT_STALE_IF_ERROR = Duration.ofMinutes(5);
    /** One resolv.conf retry (5 s timeout) is as long as a connect should wait for DNS. */
    public static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofSeconds(5);
    /** A few MB at most; far more names than a proxy's upstreams. */
    public static final int DEFAULT_MAX_NAMES = 10_000;
    /** The last fifth of the TTL: 6 s of a 30 s TTL, longer than a lookup may take. */
    public static final double DEFAULT_REFRESH_AHEAD_FRACTION = 0.2;

    /** The longest any duration may be: keeps every deadline within {@code long} nanoseconds. */
    public static final Duration MAX_DURATION = Duration.ofDays(365);

    /** The defaults listed above. */
    public static final ResolverOptions DEFAULTS = new ResolverOptions(
            DEFAULT_POSITIVE_TTL, DEFAULT_NEGATIVE_TTL, DEFAULT_STALE_IF_ERROR, DEFAULT_LOOKUP_TIMEOUT,
            DEFAULT_MAX_NAMES, DEFAULT_REFRESH_AHEAD_FRACTION);

    /** Checks every field. */
    public ResolverOptions {
        requirePositive(positiveTtl, "positiveTtl");
        requireNonNegative(negativeTtl, "negativeTtl");
        requireNonNegative(staleIfError, "staleIfError");
        requirePositive(lookupTimeout, "lookupTimeout");
        if (maxNames < 1) {
            throw new IllegalArgumentException("maxNames must be positive, was " + maxNames);
        }
        if (!(refreshAheadFraction >= 0 && refreshAheadFraction < 1)) {
            throw new IllegalArgumentException("refreshAheadFraction must be in [0, 1), was " + refreshAheadFraction);
        }
    }

    public ResolverOptions withPositiveTtl(Duration value) {
        return new ResolverOptions(value, negativeTtl, staleIfError, lookupTimeout, maxNames, refreshAheadFraction);
    }

    public ResolverOptions withNegativeTtl(Duration value) {
        return new ResolverOptions(positiveTtl, value, staleIfError, lookupTimeout, maxNames, refreshAheadFraction);
    }

    public ResolverOptions withStaleIfError(Duration value) {
        return new ResolverOptions(positiveTtl, negativeTtl, value, lookupTimeout, maxNames, refreshAheadFraction);
    }

    public ResolverOptions withLookupTimeout(Duration value) {
        return new ResolverOptions(positiveTtl, negativeTtl, staleIfError, value, maxNames, refreshAheadFraction);
    }

    public ResolverOptions withMaxNames(int value) {
        return new ResolverOptions(positiveTtl, negativeTtl, staleIfError, lookupTimeout, value, refreshAheadFraction);
    }

    public ResolverOptions withRefreshAheadFraction(double value) {
        return new ResolverOptions(positiveTtl, negativeTtl, staleIfError, lookupTimeout, maxNames, value);
    }

    private static void requirePositive(Duration d, String name) {
        requireNonNegative(d, name);
        if (d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    private static void requireNonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(name + " must be 0.." + MAX_DURATION + ", was " + d);
        }
    }
}
