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
        timer(method, status, uri).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Records like {@link #record(String, int, String, long)}, reusing the timer {@code last} holds
     * when the request has the same method, status and route as the previous one on its connection
     * (the usual keep-alive case), so most requests skip the map.
     */
    void record(LastTimer last, String method, int status, String uri, long nanos) {
        Timer timer;
        if (last.timer != null && last.status == status && last.method == method && last.uri == uri) {
            timer = last.timer;
        } else {
            timer = timer(method, status, uri);
            last.method = method;
            last.status = status;
            last.uri = uri;
            last.timer = timer;
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String method, int status, String uri) {
        TimerKey key = new TimerKey(knownMethod(method), status, uri);
        Timer timer = timers.get(key);
        return timer != null ? timer : timers.computeIfAbsent(key, k -> Timer.builder("http.server.requests")
                .tags(tags).tag("method", k.method).tag("status", Integer.toString(k.status))
                .tag("outcome", Status.outcome(k.status)).tag("uri", k.uri)
                .description("HTTP requests, by route template").register(registry));
    }

    /** One connection's last request timer and what it was for; used by that connection's thread only. */
    static final class LastTimer {
        private String method;
        private int status;
        private String uri;
        private Timer timer;
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
