package dev.weft.client;

import dev.weft.testing.MockUpstream;
import dev.weft.testing.RecordedRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/** What the client tests read back from a pool's meters and a {@link MockUpstream}'s records. */
final class ClientTests {

    private ClientTests() {
    }

    /** Connections the pool closed because a lease broke ({@code weft.pool.connections.destroyed{reason=broken}}). */
    static double destroyedBroken(MeterRegistry registry) {
        return registry.find("weft.pool.connections.destroyed").tag("reason", "broken").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    /** (connection index, request index) of each request {@code upstream} recorded so far, in order; takes them. */
    static List<List<Integer>> connectionsUsed(MockUpstream upstream) throws InterruptedException {
        List<List<Integer>> used = new ArrayList<>();
        for (int i = upstream.requestCount(); i > 0; i--) {
            RecordedRequest r = upstream.takeRequest();
            used.add(List.of(r.connectionIndex(), r.requestIndex()));
        }
        return used;
    }
}
