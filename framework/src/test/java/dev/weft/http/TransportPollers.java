package dev.weft.http;

import dev.weft.tcp.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * For test classes with the {@code LeakCheck}: the epoll transport's pollers are made once per
 * process, at first use, and kept. Call {@link #start} in {@code @BeforeAll}, before the leak
 * check's first look, so they are not taken for the first test's leak.
 */
public final class TransportPollers {

    private TransportPollers() {
    }

    /**
     * Serves one request over loopback on the configured transport, and one on the epoll transport
     * where it runs (for tests that ask for it by name in the JDK's run), which starts their pollers.
     */
    public static void start() throws IOException {
        serveOne(HttpServer.builder());
        if (Transport.EPOLL.isAvailable()) {
            serveOne(HttpServer.builder().transport(Transport.EPOLL));
        }
    }

    private static void serveOne(HttpServer.Builder builder) throws IOException {
        try (HttpServer s = builder.bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry()).fallback((req, res) -> res.send("ok")).start();
             Socket c = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            c.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            c.getInputStream().readAllBytes();
        }
    }
}
