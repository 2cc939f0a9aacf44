package dev.weft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.dns.Resolver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real nginx (Debian package), started on a free port with its own config. */
class NginxClientTest {

    @TempDir
    Path dir;
    private Process nginx;
    private ConnectionPool pool;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private URI base;
    private String file;

    @BeforeEach
    void startNginx() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            text.append("line ").append(i).append('\n');
        }
        file = text.toString();
        Files.writeString(dir.resolve("big.txt"), file);
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
                    keepalive_timeout 75s;
                    gzip on; gzip_types text/plain; gzip_min_length 1;
                    server {
                        listen 127.0.0.1:%2$d;
                        location = /hello { default_type text/plain; return 200 "hello from nginx\\n"; }
                        location = /big.txt { root %1$s; default_type text/plain; }
                    }
                }
                """.formatted(dir, port));
        nginx = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        int p = port;
        await("nginx listening").atMost(Duration.ofSeconds(10)).until(() -> {
            assertTrue(nginx.isAlive(), () -> "nginx exited: " + read(dir.resolve("stdout.log")) + read(dir.resolve("error.log")));
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), p)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        base = URI.create("http://127.0.0.1:" + port);
        pool = new ConnectionPool("nginx", PoolOptions.DEFAULTS, Resolver.system(), registry);
    }

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.close();
        }
        if (nginx != null) {
            nginx.destroy(); // one process (master_process off): nothing is left behind
            try {
                if (!nginx.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    nginx.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                nginx.destroyForcibly();
            }
        }
    }

    @Test
    void keepAliveContentLengthGzipChunkedAndHead() throws Exception {
        HttpClient client = new HttpClient(pool, Duration.ofSeconds(10));
        Set<Integer> localPorts = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/hello")))) {
                assertEquals(200, r.status());
                assertEquals("hello from nginx\n", r.bodyAsString());
            }
        }
        try (ClientResponse r = client.send(ClientRequest.builder("GET", base.resolve("/big.txt"))
                .header("Accept-Encoding", "gzip").build())) {
            assertEquals("chunked", r.header("Transfer-Encoding"), "nginx streams gzip output chunked");
            assertEquals("gzip", r.header("Content-Encoding"));
            assertEquals(file, new String(new GZIPInputStream(r.body()).readAllBytes(), StandardCharsets.UTF_8));
        }
        try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/big.txt")))) {
            assertEquals(Integer.toString(file.length()), r.header("Content-Length"));
            assertEquals(file, r.bodyAsString());
        }
        try (ClientResponse r = client.send(ClientRequest.builder("HEAD", base.resolve("/big.txt")).build())) {
            assertEquals(Integer.toString(file.length()), r.header("Content-Length"));
            assertEquals(-1, r.body().read());
        }
        try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/missing")))) {
            assertEquals(404, r.status());
            r.bodyAsString();
        }
        try (Lease probe = pool.acquire(new Endpoint("127.0.0.1", base.getPort()))) {
            localPorts.add(probe.localAddress().getPort());
        }
        assertEquals(1, localPorts.size());
        assertEquals(1.0, registry.get("weft.pool.connections.created").counter().count(),
                "every request on one kept-alive connection to nginx");
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
