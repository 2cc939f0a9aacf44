package dev.weft.tcp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The meters of one {@link TcpServer}, all tagged {@code server=<name>}, removed again on close.
 *
 * <p>Bytes are summed in {@link LongAdder}s (striped, no allocation, no lock on the read and write
 * paths) and published through function counters; every other counter moves once per connection.
 */
final class TcpMetrics implements AutoCloseable {

    static final String ACTIVE = "weft.tcp.connections.active";
    static final String OPENED = "weft.tcp.connections.opened";
    static final String REJECTED = "weft.tcp.connections.rejected";
    static final String LIMIT_WAITS = "weft.tcp.connections.limit.waits";
    static final String CLOSED = "weft.tcp.connections.closed";
    static final String ACCEPT_ERRORS = "weft.tcp.accept.errors";
    static final String BYTES_READ = "weft.tcp.bytes.read";
    static final String BYTES_WRITTEN = "weft.tcp.bytes.written";
    static final String CARRIER_STALLS = "weft.carrier.stalls";

    final Counter opened;
    final Counter rejected;
    final Counter limitWaits;
    final Counter acceptErrors;
    final LongAdder bytesRead = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    private final Map<CloseCause, Counter> closed = new EnumMap<>(CloseCause.class);
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    TcpMetrics(MeterRegistry registry, String serverName, Supplier<Number> active) {
        this.registry = registry;
        Tags tags = Tags.of("server", serverName);
        meters.add(Gauge.builder(ACTIVE, active)
                .tags(tags).description("Open connections").baseUnit("connections").register(registry));
        opened = add(Counter.builder(OPENED).tags(tags).description("Connections accepted and served"));
        rejected = add(Counter.builder(REJECTED).tags(tags)
                .description("Connections accepted over the limit and closed at once (reject mode)"));
        limitWaits = add(Counter.builder(LIMIT_WAITS).tags(tags)
                .description("Times the server stopped accepting because it was at its connection limit"));
        acceptErrors = add(Counter.builder(ACCEPT_ERRORS).tags(tags)
                .description("accept() failures such as EMFILE or ECONNABORTED"));
        for (CloseCause cause : CloseCause.values()) {
            closed.put(cause, add(Counter.builder(CLOSED).tags(tags).tag("cause", cause.tag())
                    .description("Connections closed, by cause")));
        }
        meters.add(FunctionCounter.builder(BYTES_READ, bytesRead, LongAdder::sum)
                .tags(tags).baseUnit("bytes").description("Bytes read from peers").register(registry));
        meters.add(FunctionCounter.builder(BYTES_WRITTEN, bytesWritten, LongAdder::sum)
                .tags(tags).baseUnit("bytes").description("Bytes written to peers").register(registry));
        meters.add(FunctionCounter.builder(CARRIER_STALLS, CarrierWatchdog.class, c -> CarrierWatchdog.stalls())
                .tags(tags).description("Times a carrier of the epoll transport was stuck in one task and its queued"
                        + " threads moved to the JDK's scheduler: the process's count, under each server (0 off carriers)")
                .register(registry));
    }

    void closed(CloseCause cause) {
        closed.get(cause).increment();
    }

    private Counter add(Counter.Builder builder) {
        Counter counter = builder.register(registry);
        meters.add(counter);
        return counter;
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
