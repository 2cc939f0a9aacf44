package dev.weft.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.Endpoint;
import dev.weft.http.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reverse proxy between real peers (Debian's packages, started per test on free ports): a real
 * nginx behind it, whose connection numbers show Weft's keep-alive, and a real HAProxy in front of
 * it, whose X-Forwarded-For Weft extends.
 */
class ReverseProxyInteropTest {

    @TempDir
    Path dir;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void closeAll() throws Exception {
        while (!closing.isEmpty()) {
            closing.pop().close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code command} in the foreground, stopped after the test; returns once {@code port} accepts. */
    private void peer(int port, String... command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(port + ".log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        closing.push(() -> {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        });
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            assertTrue(p.isAlive(), () -> command[0] + " exited: " + read(dir.resolve(port + ".log")));
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            }
        });
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private HttpServer proxyTo(int port) {
        UpstreamGroup group = UpstreamGroup.builder("interop-" + port).meterRegistry(registry)
                .add(Upstream.of(new Endpoint("127.0.0.1", port))).build();
        closing.push(group);
        ReverseProxy proxy = ReverseProxy.builder(group).meterRegistry(registry).build();
        closing.push(proxy);
        HttpServer front = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry()).fallback(proxy).start();
        closing.push(front);
        return front;
    }

    @Test
    void nginxBehindSeesOneKeptAliveConnectionForManyClients() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nginx")), "nginx is not installed (./weft test installs it)");
        int port = freePort();
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off;
                master_process off;
                user root;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/tmp; proxy_temp_path %1$s/tmp; fastcgi_temp_path %1$s/tmp;
                    uwsgi_temp_path %1$s/tmp; scgi_temp_path %1$s/tmp;
                    server {
                        listen 127.0.0.1:%2$d;
                        location / {
                            default_type text/plain;
                            add_header X-Connection $connection;
                            return 200 "nginx saw $http_x_forwarded_for via $http_via\\n";
                        }
                    }
                }
                """.formatted(dir, port));
        peer(port, "/usr/sbin/nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString());
        HttpServer front = proxyTo(port);

        Set<String> connections = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(); // a new client connection
            HttpResponse<String> r = fresh.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("nginx saw 127.0.0.1 via 1.1 weft\n", r.body());
            connections.add(r.headers().firstValue("X-Connection").orElseThrow());
            fresh.close();
        }
        assertEquals(1, connections.size(), "nginx's connection numbers: " + connections);
    }

    @Test
    void haproxyInFrontAndWeftExtendItsForwardedFor() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/haproxy")), "haproxy is not installed (./weft test installs it)");
        HttpServer backend = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(new SimpleMeterRegistry())
                .fallback((req, res) -> res.send(req.headers().all("X-Forwarded-For") + " " + req.headers().all("Via"))).start();
        closing.push(backend);
        HttpServer weft = proxyTo(backend.port());
        int port = freePort();
        Files.writeString(dir.resolve("haproxy.cfg"), """
                global
                    maxconn 100
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                    http-reuse always
                frontend f
                    bind 127.0.0.1:%d
                    option forwardfor
                    default_backend b
                backend b
                    server weft 127.0.0.1:%d
                """.formatted(port, weft.port()));
        peer(port, "/usr/sbin/haproxy", "-db", "-f", dir.resolve("haproxy.cfg").toString());

        List<String> bodies = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            bodies.add(r.body());
        }

        // HAProxy adds the client (127.0.0.1), Weft appends its client (HAProxy, 127.0.0.1 too)
        assertEquals("[127.0.0.1, 127.0.0.1] [1.1 weft]", bodies.get(0));
        assertEquals(bodies.get(0), bodies.get(2));
    }
}
