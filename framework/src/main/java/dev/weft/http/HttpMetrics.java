package dev.weft.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one {@link HttpServer}, tagged {@code server=<name>}, removed on close.
 *
 * <ul>
 * <li>{@code http.server.requests} (timer): tags {@code method}, {@code status}, {@code outcome}
 *     and {@code uri}, the route template ({@code NOT_FOUND} when no route matched,
 *     {@code METHOD_NOT_ALLOWED} for a 405, {@code UNMATCHED} for the fallback, {@code REJECTED}
 *     for a request refused before routing),
 *     never the raw path, so the number of series stays bounded.</li>
 * <li>{@code http.server.requests.active} (gauge): requests being handled now.</li>
 * <li>{@code weft.http.requests.rejected} (counter): tag {@code reason} = {@code limit},
 *     {@code timeout} or {@code malformed}.</li>
 * </ul>
 */
final class HttpMetrics implements AutoCloseable {

    private static final String[] KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
        "TRACE", "PATCH"};

    private final MeterRegistry registry;
    private final Tags tags;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();
    private final Counter rejectedLimit;
    private final Counter rejectedTimeout;
    private final Counter rejectedMalformed;
    private final List<Meter> meters = new ArrayList<>();

    private record TimerKey(String method, int status, String uri) {
    }

    HttpMetrics(MeterRegistry registry, String serverName) {
        this.registry = registry;
        this.tags = Tags.of("server", serverName);
        meters.add(Gauge.builder("http.server.requests.active", active, AtomicInteger::get)
                .tags(tags).description("Requests being handled").register(registry));
        rejectedLimit = rejected("limit");
        rejectedTimeout = rejected("timeout");
        rejectedMalformed = rejected("malformed");
    }

    void started() {
        active.incrementAndGet();
    }

    void ended() {
        active.decrementAndGet();
    }

    void record(String method, int status, String uri, long nanos) {
        String m = knownMethod(method);
        Timer timer = timers.computeIfAbsent(new TimerKey(m, status, uri), k -> Timer.builder("http.server.requests").tags(tags)
                    .tag("method", k.method).tag("status", Integer.toString(k.status))
                    .tag("outcome", Status.outcome(k.status)).tag("uri", k.uri)
                    .description("HTTP requests, by route template").register(registry));
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts a refused request (its head, or its body while the handler read it) by the status it got. */
    void rejected(int status) {
        if (status == 408) {
            rejectedTimeout.increment();
        } else if (status == 413 || status == 414 || status == 431) {
            rejectedLimit.increment();
        } else {
            rejectedMalformed.increment();
        }
    }

    private Counter rejected(String reason) {
        Counter c = Counter.builder("weft.http.requests.rejected").tags(tags).tag("reason", reason)
                .description("Requests refused: over a limit, too slow, or malformed").register(registry);
        meters.add(c);
        return c;
    }

    /** Method tags are bounded too: a method this server does not know is tagged {@code other}. */
    private static String knownMethod(String method) {
        for (String known : KNOWN_METHODS) {
            if (known.equals(method)) {
                return known;
            }
        }
        return "other";
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        timers.values().forEach(registry::remove);
    }
}
