package dev.weft.examples.lbdemo;

import dev.weft.http.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;

/**
 * One of the demo's backends: a Weft HTTP server on 127.0.0.1 that answers every request with its
 * name ({@code backend-1}), and can be killed and brought back on the same port. Used from the
 * demo's main thread.
 */
final class Backend {

    private final String name;
    private final int port;
    private HttpServer server;

    private Backend(String name, HttpServer server) {
        this.name = name;
        this.server = server;
        this.port = server.port();
    }

    /** Starts {@code name} on a free port of 127.0.0.1. */
    static Backend start(String name) {
        return new Backend(name, server(name, 0));
    }

    private static HttpServer server(String name, int port) {
        return HttpServer.builder().name(name).bindAddress(InetAddress.getLoopbackAddress()).port(port)
                .drainTimeout(Duration.ofSeconds(1)).meterRegistry(new SimpleMeterRegistry())
                .fallback((req, res) -> res.send(name))
                .start();
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /**
     * Closes its server: it stops accepting (a connect is refused from now on), requests in flight
     * finish (for 1 s at most) and every connection closes, kept-alive ones from the proxy included.
     */
    void kill() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** A new server on the same port (bound with {@code SO_REUSEADDR}: old connections in TIME_WAIT do not stop it). */
    void revive() {
        if (server == null) {
            server = server(name, port);
        }
    }
}
