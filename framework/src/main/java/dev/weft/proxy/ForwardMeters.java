package dev.weft.proxy;

import dev.weft.http.Request;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the forward proxy counts, all tagged {@code proxy=<name>}, and its access log. Meters:
 * {@code weft.proxy.forward.requests{outcome}} and {@code weft.proxy.forward.tunnels{outcome}}
 * (finished, by how they ended), {@code weft.proxy.forward.active{kind=request|tunnel}} (in
 * progress), {@code weft.proxy.forward.bytes{direction=upstream|downstream}} (body and tunnel bytes,
 * client to target and back), {@code weft.proxy.forward.connect} (time to open a new connection to
 * a target) and {@code weft.proxy.forward.denied{reason}}. The tag values are a fixed set (never a
 * host name), so a proxy that meets a million destinations still has a few dozen meters.
 *
 * <p>The access log, when on, is one line per request and per tunnel at INFO on the
 * {@code System.Logger} named {@code dev.weft.proxy.access}, after the exchange ended:
 * {@code client method target status outcome up=bytes down=bytes milliseconds}, as
 * {@code 127.0.0.1 CONNECT example.com:443 200 relayed up=517 down=4711 1532ms}. Like Squid's
 * {@code access.log}, it is written when the request or tunnel is over, so a tunnel's line carries
 * its bytes and how long it lasted.
 */
final class ForwardMeters implements AutoCloseable {

    private static final System.Logger ACCESS = System.getLogger("dev.weft.proxy.access");

    /** What one request or tunnel moved and how it ended, filled in as it runs. */
    static final class Traffic {
        final boolean tunnel;
        final long start = System.nanoTime();
        long up;
        long down;
        String outcome = "client_error";

        Traffic(boolean tunnel) {
            this.tunnel = tunnel;
        }
    }

    private final String proxy;
    private final MeterRegistry registry;
    private final boolean accessLog;
    /** By outcome or reason, registered at first use and then found here: no registry lookup per request. */
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> tunnels = new ConcurrentHashMap<>();
    private final Map<String, Counter> denials = new ConcurrentHashMap<>();
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final AtomicInteger activeTunnels = new AtomicInteger();
    private final Counter upstreamBytes;
    private final Counter downstreamBytes;
    private final Timer connect;

    ForwardMeters(String proxy, MeterRegistry registry, boolean accessLog) {
        this.proxy = proxy;
        this.registry = registry;
        this.accessLog = accessLog;
        add(Gauge.builder("weft.proxy.forward.active", activeRequests, AtomicInteger::get).tag("proxy", proxy)
                .tag("kind", "request").description("Requests being forwarded").register(registry));
        add(Gauge.builder("weft.proxy.forward.active", activeTunnels, AtomicInteger::get).tag("proxy", proxy)
                .tag("kind", "tunnel").description("CONNECT tunnels open").register(registry));
        upstreamBytes = add(Counter.builder("weft.proxy.forward.bytes").tag("proxy", proxy).tag("direction", "upstream")
                .baseUnit("bytes").description("Bytes from clients to targets").register(registry));
        downstreamBytes = add(Counter.builder("weft.proxy.forward.bytes").tag("proxy", proxy).tag("direction", "downstream")
                .baseUnit("bytes").description("Bytes from targets to clients").register(registry));
        connect = add(Timer.builder("weft.proxy.forward.connect").tag("proxy", proxy)
                .description("Time to open a new connection to a target").register(registry));
    }

    /** A request or tunnel begins. */
    Traffic begin(boolean tunnel) {
        (tunnel ? activeTunnels : activeRequests).incrementAndGet();
        return new Traffic(tunnel);
    }

    /** It ended: counted by outcome, its bytes added, and its access log line written. */
    void end(Traffic t, Request request, int status) {
        (t.tunnel ? activeTunnels : activeRequests).decrementAndGet();
        if (t.tunnel) {
            count(tunnels, "weft.proxy.forward.tunnels", "outcome", t.outcome);
        } else {
            count(requests, "weft.proxy.forward.requests", "outcome", t.outcome);
        }
        upstreamBytes.increment(t.up);
        downstreamBytes.increment(t.down);
        if (accessLog && ACCESS.isLoggable(Level.INFO)) {
            long millis = (System.nanoTime() - t.start) / 1_000_000;
            ACCESS.log(Level.INFO, request.remoteAddress().getAddress().getHostAddress() + ' ' + request.method() + ' '
                    + request.target() + ' ' + status + ' ' + t.outcome + " up=" + t.up + " down=" + t.down + ' ' + millis + "ms");
        }
    }

    /** A new connection to a target took this long to open. */
    void connected(long nanos) {
        connect.record(nanos, TimeUnit.NANOSECONDS);
    }

    void denied(String reason) {
        count(denials, "weft.proxy.forward.denied", "reason", reason);
    }

    private void count(Map<String, Counter> counters, String meter, String tag, String value) {
        Counter c = counters.get(value);
        if (c == null) {
            c = counters.computeIfAbsent(value, v -> add(Counter.builder(meter).tag("proxy", proxy).tag(tag, v).register(registry)));
        }
        c.increment();
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    /** Removes the meters from the registry. */
    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
