package dev.weft.balance;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.client.Endpoint;
import dev.weft.dns.Resolver;
import dev.weft.http.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Active health checks against real servers on loopback. */
class HealthCheckTest {

    private static final HealthCheck FAST = HealthCheck.tcp().withInterval(Duration.ofMillis(50)).withRise(2).withFall(2)
            .withTimeout(Duration.ofMillis(500));

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();

    @AfterEach
    void closeAll() throws Exception {
        while (!closing.isEmpty()) {
            closing.pop().close(); // the group before the servers it checks
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.push(resource);
        return resource;
    }

    /** A listener that never accepts: the kernel completes the handshakes into its queue. */
    private ServerSocket listener(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        // A deep queue: at one probe per 50 ms, 4096 queued connections take minutes to fill.
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
        return closeLater(s);
    }

    private static Upstream upstream(int port) {
        return Upstream.of(new Endpoint("127.0.0.1", port));
    }

    private UpstreamGroup group(HealthCheck check, Upstream... upstreams) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("checked").healthCheck(check).meterRegistry(registry);
        for (Upstream u : upstreams) {
            b.add(u);
        }
        return closeLater(b.build());
    }

    @Test
    void tcpChecksTakeAClosedServerOutAndBringItBackWhenItListensAgain() throws Exception {
        ServerSocket a = listener(0);
        ServerSocket b = listener(0);
        Upstream ua = upstream(a.getLocalPort());
        Upstream ub = upstream(b.getLocalPort());
        UpstreamGroup g = group(FAST, ua, ub);

        a.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !g.isAvailable(ua));
        for (int i = 0; i < 4; i++) {
            try (Pick pick = g.pick(null)) {
                assertEquals(ub, pick.upstream());
            }
        }
        assertTrue(registry.get("weft.upstream.failures").tag("upstream", ua.toString()).tag("kind", "check")
                .counter().count() >= 2);
        assertTrue(g.isAvailable(ub));

        listener(ua.endpoint().port());
        await().atMost(Duration.ofSeconds(10)).until(() -> g.isAvailable(ua));
        assertEquals(1.0, registry.get("weft.upstream.available").tag("upstream", ua.toString()).gauge().value());
    }

    @Test
    void httpChecksFollowTheStatusAndSendHostAndConnectionClose() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        Queue<String> hosts = new ConcurrentLinkedQueue<>();
        Queue<String> connection = new ConcurrentLinkedQueue<>();
        HttpServer server = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .get("/health", (req, res) -> {
                    hosts.add(req.header("Host"));
                    connection.add(req.header("Connection"));
                    res.send(healthy.get() ? 200 : 503, healthy.get() ? "ok" : "draining");
                })
                .start());
        ServerSocket other = listener(0);
        Upstream web = upstream(server.port());
        UpstreamGroup g = group(HealthCheck.http("/health").withInterval(Duration.ofMillis(50)).withRise(3).withFall(2)
                .withTimeout(Duration.ofMillis(500)), web, upstream(other.getLocalPort()));

        await().atMost(Duration.ofSeconds(10)).until(() -> hosts.size() >= 2);
        assertEquals("127.0.0.1:" + server.port(), hosts.peek());
        assertEquals("close", connection.peek());
        assertTrue(g.isAvailable(web));

        healthy.set(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> !g.isAvailable(web));
        healthy.set(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> g.isAvailable(web));
    }

    @Test
    void aServerThatAcceptsButNeverAnswersFailsByTimeout() throws Exception {
        ServerSocket silent = listener(0); // the kernel completes the handshake; nobody reads or answers
        ServerSocket other = listener(0);
        Upstream mute = upstream(silent.getLocalPort());
        UpstreamGroup g = group(HealthCheck.http("/").withInterval(Duration.ofMillis(50)).withRise(1).withFall(2)
                .withTimeout(Duration.ofMillis(200)), mute, upstream(other.getLocalPort()));

        await().atMost(Duration.ofSeconds(10)).until(() -> !g.isAvailable(mute));
    }

    @Test
    void aSlowServerDelaysNoOtherServersChecks() throws Exception {
        AtomicInteger answered = new AtomicInteger();
        HttpServer fast = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .get("/", (req, res) -> {
                    answered.incrementAndGet();
                    res.send("ok");
                })
                .start());
        ServerSocket silent = listener(0);
        Upstream mute = upstream(silent.getLocalPort());
        group(HealthCheck.http("/").withInterval(Duration.ofMillis(20)).withTimeout(Duration.ofSeconds(5)),
                upstream(fast.port()), mute);

        await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() >= 5);
        assertEquals(0.0, registry.get("weft.upstream.failures").tag("upstream", mute.toString()).tag("kind", "check")
                .counter().count(), "five probes of the fast server while the silent one's first still waits");
    }

    @Test
    void aHostThatDoesNotResolveFailsItsChecks() throws Exception {
        ServerSocket other = listener(0);
        Upstream unknown = Upstream.of("backend.invalid:80");
        Resolver resolver = host -> {
            if (host.equals("backend.invalid")) {
                throw new java.net.UnknownHostException(host);
            }
            return List.of(InetAddress.getByName(host));
        };
        UpstreamGroup g = closeLater(UpstreamGroup.builder("resolving").healthCheck(FAST).resolver(resolver)
                .meterRegistry(registry).add(unknown).add(upstream(other.getLocalPort())).build());

        await().atMost(Duration.ofSeconds(10)).until(() -> !g.isAvailable(unknown));
    }

    @Test
    void closingTheGroupStopsTheChecks() throws Exception {
        ServerSocket target = listener(0);
        AtomicInteger probes = new AtomicInteger();
        Resolver counting = host -> {
            probes.incrementAndGet(); // every probe starts by resolving
            return List.of(InetAddress.getByName(host));
        };
        UpstreamGroup g = closeLater(UpstreamGroup.builder("stopping").healthCheck(FAST).resolver(counting)
                .meterRegistry(registry).add(upstream(target.getLocalPort())).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> probes.get() >= 3);

        g.close();
        int after = probes.get() + 1; // a probe may have been about to start
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> probes.get() <= after);
    }

    @Test
    void fallFailuresInARowTakeAServerOutAndRiseSuccessesBringItBack() {
        Peer peer = new Peer(upstream(9), true);
        HealthChecker checker = new HealthChecker("rise-fall", List.of(peer), FAST.withRise(2).withFall(3),
                host -> List.of(), new UpstreamMetrics(registry, "rise-fall", List.of(peer), p -> true));
        checker.record(peer, "refused");
        checker.record(peer, "refused");
        checker.record(peer, null); // the run of failures is broken
        checker.record(peer, "refused");
        checker.record(peer, "refused");
        assertTrue(peer.checkedUp, "two failures in a row, fall is 3");
        checker.record(peer, "refused");
        assertFalse(peer.checkedUp, "three in a row");
        checker.record(peer, null);
        checker.record(peer, "refused"); // the run of successes is broken
        checker.record(peer, null);
        assertFalse(peer.checkedUp, "one success in a row, rise is 2");
        checker.record(peer, null);
        assertTrue(peer.checkedUp, "two in a row");
        assertEquals(6.0, registry.get("weft.upstream.failures").tag("kind", "check").counter().count());
    }
}
