package dev.weft.balance;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.client.ClientRequest;
import dev.weft.client.ClientResponse;
import dev.weft.client.ConnectionPool;
import dev.weft.client.HttpClient;
import dev.weft.client.PoolOptions;
import dev.weft.dns.Resolver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hash} and {@code hash consistent} pick what a real nginx (Debian package) picks for the
 * same keys and the same {@code server} lines, weights and {@code down} included. nginx serves as
 * its own backends: four {@code listen}s answering with the port that took the request.
 */
class NginxHashTest {

    private static final int[] WEIGHTS = {1, 2, 3, 1};

    @TempDir
    Path dir;
    private Process nginx;
    private ConnectionPool pool;
    private final int[] backends = new int[WEIGHTS.length];
    private URI base;

    @BeforeEach
    void startNginx() throws Exception {
        int[] ports = freePorts(WEIGHTS.length + 1);
        System.arraycopy(ports, 0, backends, 0, backends.length);
        int front = ports[WEIGHTS.length];
        StringBuilder listens = new StringBuilder();
        for (int port : backends) {
            listens.append("listen 127.0.0.1:").append(port).append("; ");
        }
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off;
                master_process off;
                user root;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/tmp; proxy_temp_path %1$s/tmp; fastcgi_temp_path %1$s/tmp;
                    uwsgi_temp_path %1$s/tmp; scgi_temp_path %1$s/tmp;
                    upstream plain { hash $arg_k; %3$s }
                    upstream plaindown { hash $arg_k; %4$s }
                    upstream ring { hash $arg_k consistent; %3$s }
                    upstream ringdown { hash $arg_k consistent; %4$s }
                    server { %5$s default_type text/plain; return 200 $server_port; }
                    server {
                        listen 127.0.0.1:%2$d;
                        location = /plain { proxy_pass http://plain; }
                        location = /plaindown { proxy_pass http://plaindown; }
                        location = /ring { proxy_pass http://ring; }
                        location = /ringdown { proxy_pass http://ringdown; }
                    }
                }
                """.formatted(dir, front, servers(-1), servers(1), listens));
        nginx = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        await("nginx listening").atMost(Duration.ofSeconds(10)).until(() -> {
            assertTrue(nginx.isAlive(), () -> "nginx exited: " + read(dir.resolve("stdout.log")) + read(dir.resolve("error.log")));
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), front)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        base = URI.create("http://127.0.0.1:" + front);
        pool = new ConnectionPool("nginx-hash", PoolOptions.DEFAULTS, Resolver.system(), new SimpleMeterRegistry());
    }

    /** The {@code server} lines, the one at {@code down} (if any) marked down. */
    private String servers(int down) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < backends.length; i++) {
            s.append("server 127.0.0.1:").append(backends[i]).append(" weight=").append(WEIGHTS[i])
                    .append(i == down ? " down" : "").append("; ");
        }
        return s.toString();
    }

    private UpstreamGroup group(String name, Strategy strategy, int down) {
        UpstreamGroup.Builder b = UpstreamGroup.builder(name).strategy(strategy).meterRegistry(new SimpleMeterRegistry());
        for (int i = 0; i < backends.length; i++) {
            b.add(Upstream.of("127.0.0.1:" + backends[i]).withWeight(WEIGHTS[i]).withDown(i == down));
        }
        return b.build();
    }

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.close();
        }
        if (nginx != null) {
            nginx.destroy(); // one process (master_process off)
            try {
                if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                    nginx.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                nginx.destroyForcibly();
            }
        }
    }

    @Test
    void hashAndConsistentHashPickTheServerNginxPicks() throws Exception {
        HttpClient client = new HttpClient(pool, Duration.ofSeconds(10));
        List<String> keys = keys(300);
        record Case(String upstream, Strategy strategy, int down) {
        }
        List<String> mismatches = new ArrayList<>();
        for (Case c : List.of(new Case("plain", Strategy.HASH, -1), new Case("plaindown", Strategy.HASH, 1),
                new Case("ring", Strategy.CONSISTENT_HASH, -1), new Case("ringdown", Strategy.CONSISTENT_HASH, 1))) {
            try (UpstreamGroup group = group(c.upstream(), c.strategy(), c.down())) {
                for (String key : keys) {
                    String nginxPort;
                    try (ClientResponse r = client.send(ClientRequest.get(base.resolve("/" + c.upstream() + "?k=" + key)))) {
                        assertEquals(200, r.status());
                        nginxPort = r.bodyAsString();
                    }
                    String ours;
                    try (Pick pick = group.pick(null, key, Set.of())) {
                        ours = Integer.toString(pick.endpoint().port());
                    }
                    if (!nginxPort.equals(ours)) {
                        mismatches.add(c.upstream() + " " + key + ": nginx " + nginxPort + ", weft " + ours);
                    }
                }
            }
        }
        assertEquals(List.of(), mismatches);
    }

    /** Keys like a proxy would hash: paths, ids and tokens, as URL-safe text. */
    private static List<String> keys(int count) {
        SplittableRandom random = new SplittableRandom(16);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(switch (i % 3) {
                case 0 -> "/img/" + random.nextInt(100_000) + ".png";
                case 1 -> "user-" + i;
                default -> Long.toHexString(random.nextLong());
            });
        }
        return keys;
    }

    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
