package dev.weft.balance;

import dev.weft.client.Endpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * One server of an {@link UpstreamGroup}, as nginx's {@code server} line describes it: its address,
 * {@code weight} (its share of the requests), {@code max_fails} and {@code fail_timeout} (after
 * {@code maxFails} failed requests within {@code failTimeout}, it gets no requests for
 * {@code failTimeout}; 0 turns this off), {@code backup} (used only while every other server is
 * unavailable), {@code down} (never used, and not health-checked: kept in the list so that the
 * hash strategies still map every other key as before) and {@code max_conns} (at most that many
 * picks in flight; 0 is no limit). The defaults are nginx's: weight 1, 1 failure, 10 seconds, not
 * a backup, not down, no limit.
 *
 * <pre>{@code
 * Upstream.of("10.0.0.1:8080").withWeight(3).withMaxFails(2, Duration.ofSeconds(30)).withMaxConns(100)
 * Upstream.of("10.0.0.9:8080").withBackup(true)
 * Upstream.of("10.0.0.4:8080").withDown(true)
 * }</pre>
 *
 * <p>Like nginx without a {@code queue} directive, a request that finds every server at its
 * {@code max_conns} is not held: {@link UpstreamGroup#pick} throws {@link NoLiveUpstreamException}
 * at once (a proxy answers 502). nginx counts {@code max_conns} per worker process unless the
 * group has a shared {@code zone}; a Weft group is one process's only copy, so its limit is exact.
 *
 * @param endpoint    where it listens
 * @param weight      1..1000
 * @param maxFails    failed requests within {@code failTimeout} that make it unavailable; 0 never
 * @param failTimeout the window that counts failures, and how long it is then left alone
 * @param backup      true if it serves only while no other server can
 * @param down        true if it is permanently out of service (nginx's {@code down})
 * @param maxConns    the most picks in flight at once; 0 for no limit (nginx's {@code max_conns})
 */
public record Upstream(Endpoint endpoint, int weight, int maxFails, Duration failTimeout, boolean backup, boolean down,
        int maxConns) {

    public static final int DEFAULT_WEIGHT = 1;
    public static final int DEFAULT_MAX_FAILS = 1;
    public static final Duration DEFAULT_FAIL_TIMEOUT = Duration.ofSeconds(10);
    /** No limit on the picks in flight. */
    public static final int DEFAULT_MAX_CONNS = 0;

    public Upstream {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(failTimeout, "failTimeout");
        if (weight < 1 || weight > 1000) {
            throw new IllegalArgumentException("weight must be 1..1000, was " + weight);
        }
        if (maxFails < 0) {
            throw new IllegalArgumentException("maxFails must be 0 or more, was " + maxFails);
        }
        if (failTimeout.isNegative() || failTimeout.isZero()) {
            throw new IllegalArgumentException("failTimeout must be positive, was " + failTimeout);
        }
        if (maxConns < 0) {
            throw new IllegalArgumentException("maxConns must be 0 (no limit) or more, was " + maxConns);
        }
    }

    /** A server in service without a limit on its picks in flight (the form before {@code down} and {@code max_conns}). */
    public Upstream(Endpoint endpoint, int weight, int maxFails, Duration failTimeout, boolean backup) {
        this(endpoint, weight, maxFails, failTimeout, backup, false, DEFAULT_MAX_CONNS);
    }

    /** {@code host:port} with nginx's defaults. */
    public static Upstream of(String hostAndPort) {
        return of(Endpoint.parse(hostAndPort));
    }

    /** The endpoint with nginx's defaults. */
    public static Upstream of(Endpoint endpoint) {
        return new Upstream(endpoint, DEFAULT_WEIGHT, DEFAULT_MAX_FAILS, DEFAULT_FAIL_TIMEOUT, false);
    }

    public Upstream withWeight(int value) {
        return new Upstream(endpoint, value, maxFails, failTimeout, backup, down, maxConns);
    }

    public Upstream withMaxFails(int count, Duration window) {
        return new Upstream(endpoint, weight, count, window, backup, down, maxConns);
    }

    public Upstream withBackup(boolean value) {
        return new Upstream(endpoint, weight, maxFails, failTimeout, value, down, maxConns);
    }

    /** nginx's {@code down}: never picked, never probed, reported as down. */
    public Upstream withDown(boolean value) {
        return new Upstream(endpoint, weight, maxFails, failTimeout, backup, value, maxConns);
    }

    /** nginx's {@code max_conns}: a server with this many picks in flight is skipped; 0 for no limit. */
    public Upstream withMaxConns(int value) {
        return new Upstream(endpoint, weight, maxFails, failTimeout, backup, down, value);
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
