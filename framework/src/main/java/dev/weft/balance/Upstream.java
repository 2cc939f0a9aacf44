package dev.weft.balance;

import dev.weft.client.Endpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * One server of an {@link UpstreamGroup}, as nginx's {@code server} line describes it: its address,
 * {@code weight} (its share of the requests), {@code max_fails} and {@code fail_timeout} (after
 * {@code maxFails} failed requests within {@code failTimeout}, it gets no requests for
 * {@code failTimeout}; 0 turns this off) and {@code backup} (used only while every other server is
 * unavailable). The defaults are nginx's: weight 1, 1 failure, 10 seconds, not a backup.
 *
 * <pre>{@code
 * Upstream.of("10.0.0.1:8080").withWeight(3).withMaxFails(2, Duration.ofSeconds(30))
 * Upstream.of("10.0.0.9:8080").withBackup(true)
 * }</pre>
 *
 * @param endpoint    where it listens
 * @param weight      1..1000
 * @param maxFails    failed requests within {@code failTimeout} that make it unavailable; 0 never
 * @param failTimeout the window that counts failures, and how long it is then left alone
 * @param backup      true if it serves only while no other server can
 */
public record Upstream(Endpoint endpoint, int weight, int maxFails, Duration failTimeout, boolean backup) {

    public static final int DEFAULT_WEIGHT = 1;
    public static final int DEFAULT_MAX_FAILS = 1;
    public static final Duration DEFAULT_FAIL_TIMEOUT = Duration.ofSeconds(10);

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
        return new Upstream(endpoint, value, maxFails, failTimeout, backup);
    }

    public Upstream withMaxFails(int count, Duration window) {
        return new Upstream(endpoint, weight, count, window, backup);
    }

    public Upstream withBackup(boolean value) {
        return new Upstream(endpoint, weight, maxFails, failTimeout, value);
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
