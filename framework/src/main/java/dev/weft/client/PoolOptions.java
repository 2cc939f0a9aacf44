package dev.weft.client;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link ConnectionPool}, immutable; change one with a {@code withX} copy.
 *
 * <table>
 * <caption>Settings and defaults</caption>
 * <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code maxPerEndpoint}</td><td>16</td><td>connections open to one endpoint, lent or idle</td></tr>
 * <tr><td>{@code maxTotal}</td><td>256</td><td>connections open in all</td></tr>
 * <tr><td>{@code maxIdlePerEndpoint}</td><td>16</td><td>idle connections kept per endpoint; more are closed on return</td></tr>
 * <tr><td>{@code minIdlePerEndpoint}</td><td>0</td><td>idle connections kept ready (pre-warmed by {@link ConnectionPool#prewarm})</td></tr>
 * <tr><td>{@code borrowTimeout}</td><td>5 s</td><td>how long {@code acquire} waits when the endpoint is at its maximum</td></tr>
 * <tr><td>{@code connectTimeout}</td><td>3 s</td><td>per address tried</td></tr>
 * <tr><td>{@code readTimeout}</td><td>30 s</td><td>how long one read on a lent connection may wait</td></tr>
 * <tr><td>{@code writeTimeout}</td><td>30 s</td><td>how long one write on a lent connection may make no progress
 *     (the server stopped reading); then the connection is closed and the write fails with a
 *     {@link java.net.SocketTimeoutException}</td></tr>
 * <tr><td>{@code maxIdleTime}</td><td>30 s</td><td>an idle connection older than this is closed; keep it below the
 *     servers' keep-alive timeout (nginx 75 s, Weft 60 s), so the pool closes first</td></tr>
 * <tr><td>{@code evictionInterval}</td><td>5 s</td><td>how often idle connections are checked (stale, too old)</td></tr>
 * <tr><td>{@code validateAfterIdle}</td><td>0</td><td>an idle connection is probed (one non-blocking read) before it
 *     is lent if it has been idle this long; 0 probes every time. A client that retries a request
 *     failed on a stale connection (the HTTP client, the proxies) may skip the probe for connections
 *     idle a moment only: it costs system calls on every borrow</td></tr>
 * <tr><td>{@code maxLifetime}</td><td>5 min</td><td>a connection is not lent again after this, so DNS changes and
 *     server-side rebalancing take effect</td></tr>
 * <tr><td>{@code endpointMeters}</td><td>true</td><td>meters per endpoint; off, one set for the whole pool
 *     (tagged {@code endpoint=all})</td></tr>
 * </table>
 *
 * <p>Idle connections are reused last-in first-out: the most recently used one is the least likely
 * to have been closed by the server.
 */
public record PoolOptions(
        int maxPerEndpoint,
        int maxTotal,
        int maxIdlePerEndpoint,
        int minIdlePerEndpoint,
        Duration borrowTimeout,
        Duration connectTimeout,
        Duration readTimeout,
        Duration writeTimeout,
        Duration maxIdleTime,
        Duration evictionInterval,
        Duration maxLifetime,
        Duration validateAfterIdle,
        boolean endpointMeters) {

    public static final PoolOptions DEFAULTS = new PoolOptions(16, 256, 16, 0, Duration.ofSeconds(5),
            Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30),
            Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ZERO, true);

    public PoolOptions {
        positive(maxPerEndpoint, "maxPerEndpoint");
        positive(maxTotal, "maxTotal");
        if (maxIdlePerEndpoint < 0 || minIdlePerEndpoint < 0 || minIdlePerEndpoint > maxIdlePerEndpoint) {
            throw new IllegalArgumentException("need 0 <= minIdlePerEndpoint <= maxIdlePerEndpoint, were "
                    + minIdlePerEndpoint + " and " + maxIdlePerEndpoint);
        }
        positive(borrowTimeout, "borrowTimeout");
        positive(connectTimeout, "connectTimeout");
        positive(readTimeout, "readTimeout");
        positive(writeTimeout, "writeTimeout");
        positive(maxIdleTime, "maxIdleTime");
        positive(evictionInterval, "evictionInterval");
        positive(maxLifetime, "maxLifetime");
        Objects.requireNonNull(validateAfterIdle, "validateAfterIdle");
        if (validateAfterIdle.isNegative()) {
            throw new IllegalArgumentException("validateAfterIdle must not be negative, was " + validateAfterIdle);
        }
    }

    public PoolOptions withMaxPerEndpoint(int v) {
        return new PoolOptions(v, maxTotal, maxIdlePerEndpoint, minIdlePerEndpoint, borrowTimeout,
                connectTimeout, readTimeout, writeTimeout, maxIdleTime, evictionInterval, maxLifetime, validateAfterIdle, endpointMeters);
    }

    public PoolOptions withMaxTotal(int v) {
        return new PoolOptions(maxPerEndpoint, v, maxIdlePerEndpoint, minIdlePerEndpoint, borrowTimeout,
                connectTimeout, readTimeout, writeTimeout, maxIdleTime, evictionInterval, maxLifetime, validateAfterIdle, endpointMeters);
    }

    /** Idle connections kept at most and at least per endpoint. */
    public PoolOptions withIdle(int min, int max) {
        return new PoolOptions(maxPerEndpoint, maxTotal, max, min, borrowTimeout,
                connectTimeout, readTimeout, writeTimeout, maxIdleTime, evictionInterval, maxLifetime, validateAfterIdle, endpointMeters);
    }

    public PoolOptions withBorrowTimeout(Duration v) {
        return new PoolOptions(maxPerEndpoint, maxTotal, maxIdlePerEndpoint, minIdlePerEndpoint, v,
                connectTimeout, readTimeout, writeTimeout, maxIdleTime, evictionInterval, maxLifetime, validateAfterIdle, endpointMeters);
    }

    public PoolOptions withConnectTimeout(Duration v) {
        return new PoolOptions(maxPerEndpoint, maxTotal, maxIdlePerEndpoint, minIdlePerEndpoint, borrowTimeout,
                v, readTimeout, writeTimeout, maxIdleTime, evictionInterval, maxLifetime, validateAfterIdle, endpointMeters);
    }

    public PoolOptions withReadTimeout(Duration v) {
        return new PoolOptions(maxPerEndpoint, maxTotal, maxIdlePerEndpoint, minIdlePerEndpoint, borrowTimeout,
                connectTimeout, v, writeTimeout, maxIdleTime, evictionInterval, maxLifetime, validateAfterIdle, endpointMeters);
    }

    public PoolOptions withWriteTimeout(Duration v) {
        return new PoolOptions(maxPerEndpoint, maxTotal, maxIdlePerEndpoint, minIdlePerEndpoint, borrowTimeout,
                connectTimeout, readTimeout, v, maxIdleTime, evictionInterval, maxLifetime, validateAfterIdle, endpointMeters);
    }

    public PoolOptions withValidateAfterIdle(Duration v) {
        return new PoolOptions(maxPerEndpoint, maxTotal, maxIdlePerEndpoint, minIdlePerEndpoint, borrowTimeout,
                connectTimeout, readTimeout, writeTimeout, maxIdleTime, evictionInterval, maxLifetime, v, endpointMeters);
    }

    /**
     * Whether the meters are per endpoint (tagged {@code endpoint=host:port}) or one set for the whole
     * pool ({@code endpoint=all}). A pool that meets an open-ended set of endpoints (a forward proxy)
     * turns them off, so its meters stay few.
     */
    public PoolOptions withEndpointMeters(boolean v) {
        return new PoolOptions(maxPerEndpoint, maxTotal, maxIdlePerEndpoint, minIdlePerEndpoint, borrowTimeout,
                connectTimeout, readTimeout, writeTimeout, maxIdleTime, evictionInterval, maxLifetime, validateAfterIdle, v);
    }

    /** Idle connections older than {@code maxIdle} are closed by a check every {@code interval}. */
    public PoolOptions withEviction(Duration maxIdle, Duration interval) {
        return new PoolOptions(maxPerEndpoint, maxTotal, maxIdlePerEndpoint, minIdlePerEndpoint, borrowTimeout,
                connectTimeout, readTimeout, writeTimeout, maxIdle, interval, maxLifetime, validateAfterIdle, endpointMeters);
    }

    public PoolOptions withMaxLifetime(Duration v) {
        return new PoolOptions(maxPerEndpoint, maxTotal, maxIdlePerEndpoint, minIdlePerEndpoint, borrowTimeout,
                connectTimeout, readTimeout, writeTimeout, maxIdleTime, evictionInterval, v, validateAfterIdle, endpointMeters);
    }

    private static void positive(int v, String name) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be positive, was " + v);
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
