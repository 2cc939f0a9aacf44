package dev.weft.http;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * One {@link HttpServer} on 127.0.0.1, port 0, named "test", with its own
 * {@link SimpleMeterRegistry} and a short drain timeout, plus the raw clients a test opened against
 * it; {@link #close()} closes the clients first (so no connection lingers waiting for them), then
 * the server.
 */
final class ServerHarness implements AutoCloseable {

    /** Short, so a test that leaves a handler busy costs seconds, not the 30 s default. */
    static final Duration TEST_DRAIN_TIMEOUT = Duration.ofSeconds(2);

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<RawHttpClient> clients = new CopyOnWriteArrayList<>();
    private HttpServer server;

    /** Starts a server; {@code config} adds the routes and may change any builder setting. */
    HttpServer start(UnaryOperator<HttpServer.Builder> config) {
        HttpServer.Builder builder = HttpServer.builder()
                .name("test")
                .meterRegistry(registry)
                .bindAddress(InetAddress.getLoopbackAddress())
                .drainTimeout(TEST_DRAIN_TIMEOUT);
        server = config.apply(builder).start();
        return server;
    }

    HttpServer server() {
        return server;
    }

    /** A raw client connected to the server, closed with the harness. */
    RawHttpClient connect() throws IOException {
        RawHttpClient client = RawHttpClient.connect(server.port());
        clients.add(client);
        return client;
    }

    /** Sends {@code raw} on a new connection and reads one response (not to HEAD). */
    RawHttpClient.RawResponse exchange(String raw) throws IOException {
        try (RawHttpClient client = RawHttpClient.connect(server.port())) {
            return client.send(raw).readResponse();
        }
    }

    @Override
    public void close() {
        for (RawHttpClient client : clients) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
