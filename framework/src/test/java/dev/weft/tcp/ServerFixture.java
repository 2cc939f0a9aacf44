package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * One {@link TcpServer} on 127.0.0.1, port 0, with its own {@link SimpleMeterRegistry}, plus the
 * clients a test opened against it; {@link #close()} closes the clients, then the server.
 *
 * <p>The meters are looked up once, right after start, and kept: the server removes them from the
 * registry on close, and tests still read the final counts after that. Meter names are spelled out
 * here rather than taken from {@link TcpMetrics}, so renaming a public meter fails the tests.
 */
final class ServerFixture implements AutoCloseable {

    /** Short, so a test that forgets a busy handler costs seconds, not the 30 s default. */
    static final Duration TEST_DRAIN_TIMEOUT = Duration.ofSeconds(2);

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<TestClient> clients = new CopyOnWriteArrayList<>();
    private final Map<CloseCause, Counter> closed = new EnumMap<>(CloseCause.class);
    private TcpServer server;
    private Counter opened;
    private Counter rejected;
    private Counter limitWaits;
    private Gauge active;
    private FunctionCounter bytesRead;
    private FunctionCounter bytesWritten;

    TcpServer start(ConnectionHandler handler) {
        return start(handler, b -> b);
    }

    /** Starts a server named "test"; {@code config} may change any builder setting. */
    TcpServer start(ConnectionHandler handler, UnaryOperator<TcpServer.Builder> config) {
        TcpServer.Builder builder = TcpServer.builder()
                .name("test")
                .meterRegistry(registry)
                .bindAddress(InetAddress.getLoopbackAddress())
                .drainTimeout(TEST_DRAIN_TIMEOUT)
                .handler(handler);
        server = config.apply(builder).start();
        String name = server.name();
        for (CloseCause cause : CloseCause.values()) {
            closed.put(cause, registry.get("weft.tcp.connections.closed")
                    .tag("server", name).tag("cause", cause.tag()).counter());
        }
        opened = registry.get("weft.tcp.connections.opened").tag("server", name).counter();
        rejected = registry.get("weft.tcp.connections.rejected").tag("server", name).counter();
        limitWaits = registry.get("weft.tcp.connections.limit.waits").tag("server", name).counter();
        active = registry.get("weft.tcp.connections.active").tag("server", name).gauge();
        bytesRead = registry.get("weft.tcp.bytes.read").tag("server", name).functionCounter();
        bytesWritten = registry.get("weft.tcp.bytes.written").tag("server", name).functionCounter();
        return server;
    }

    TcpServer server() {
        return server;
    }

    int port() {
        return server.port();
    }

    /** A client connected to the server, closed with the fixture. */
    TestClient connect() {
        return connect(s -> { });
    }

    /** A client whose socket {@code beforeConnect} configures (buffer sizes must be set before connecting). */
    TestClient connect(TestClient.SocketSetup beforeConnect) {
        try {
            TestClient client = TestClient.connect(server.port(), beforeConnect);
            clients.add(client);
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long closed(CloseCause cause) {
        return (long) closed.get(cause).count();
    }

    /** Every close cause with its count, zeros included. */
    Map<CloseCause, Long> closedCounts() {
        Map<CloseCause, Long> counts = new EnumMap<>(CloseCause.class);
        closed.forEach((cause, counter) -> counts.put(cause, (long) counter.count()));
        return counts;
    }

    long closedTotal() {
        return closedCounts().values().stream().mapToLong(Long::longValue).sum();
    }

    long opened() {
        return (long) opened.count();
    }

    long rejected() {
        return (long) rejected.count();
    }

    long limitWaits() {
        return (long) limitWaits.count();
    }

    long activeGauge() {
        return (long) active.value();
    }

    long bytesRead() {
        return (long) bytesRead.count();
    }

    long bytesWritten() {
        return (long) bytesWritten.count();
    }

    /**
     * Waits until {@code count} connections have been counted as closed in all, then asserts that
     * all of them were counted under {@code cause} and none under any other.
     */
    void awaitOnlyClosed(CloseCause cause, long count) {
        await("closed connections counted").atMost(Duration.ofSeconds(10))
                .until(() -> closedTotal() >= count);
        Map<CloseCause, Long> expected = new EnumMap<>(CloseCause.class);
        for (CloseCause c : CloseCause.values()) {
            expected.put(c, c == cause ? count : 0L);
        }
        assertEquals(expected, closedCounts());
    }

    @Override
    public void close() {
        for (TestClient client : clients) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Opens a raw socket to the server without registering it, for tests that manage it themselves. */
    Socket rawSocket() throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), server.port());
    }
}
