package dev.weft.balance;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.TransportPollers;
import dev.weft.testing.Answer;
import dev.weft.testing.LeakCheck;
import dev.weft.testing.MockUpstream;
import dev.weft.client.Endpoint;
import dev.weft.dns.Resolver;
import dev.weft.http.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Active health checks against real servers on loopback. */
@ExtendWith(LeakCheck.class)
class HealthCheckTest {

    /** Made before the leak check's first look: the transport's pollers live as long as the JVM. */
    @BeforeAll
    static void startTheTransportsPollers() throws java.io.IOException {
        TransportPollers.start();
    }

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
        assertTrue(registry.get("weft.upstream.failures").tag("server", ua.toString()).tag("kind", "check")
                .counter().count() >= 2);
        assertTrue(g.isAvailable(ub));

        listener(ua.endpoint().port());
        await().atMost(Duration.ofSeconds(10)).until(() -> g.isAvailable(ua));
        assertEquals(1.0, registry.get("weft.upstream.available").tag("server", ua.toString()).gauge().value());
    }

    @Test
    void anHttpCheckFailsAServerThatStallsAnswersGarbageOrResetsAndPassesItWhenItAnswersAgain() throws Exception {
        MockUpstream flaky = closeLater(MockUpstream.start());
        MockUpstream steady = closeLater(MockUpstream.start().defaultAnswer(Answer.ok("fine")));
        HealthCheck check = HealthCheck.http("/health").withInterval(Duration.ofMillis(50)).withRise(1).withFall(1)
                .withTimeout(Duration.ofMillis(300));
        Upstream bad = upstream(flaky.port());
        UpstreamGroup g = group(check, bad, upstream(steady.port()));

        flaky.defaultAnswer(Answer.noAnswer());
        await().atMost(Duration.ofSeconds(10)).until(() -> "timed out".equals(problem(g, bad)));
        assertFalse(g.isAvailable(bad));

        flaky.defaultAnswer(Answer.garbageStatusLine());
        await().atMost(Duration.ofSeconds(10)).until(() -> String.valueOf(problem(g, bad)).startsWith("not an HTTP status line"));
        assertFalse(g.isAvailable(bad));

        flaky.defaultAnswer(Answer.resetAfterRequestHead());
        await().atMost(Duration.ofSeconds(10)).until(() -> problem(g, bad) != null
                && !problem(g, bad).equals("timed out") && !problem(g, bad).startsWith("not an HTTP status line"));
        assertFalse(g.isAvailable(bad), "reset: " + problem(g, bad));

        flaky.defaultAnswer(Answer.ok("up again"));
        await().atMost(Duration.ofSeconds(10)).until(() -> g.isAvailable(bad));
        assertEquals("/health", flaky.takeRequest().target(), "the check asked for its path");
    }

    /** What the last check of {@code u} found wrong, or null. */
    private static String problem(UpstreamGroup g, Upstream u) {
        return g.status().stream().filter(s -> s.upstream().equals(u)).findFirst().orElseThrow().checkProblem();
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
        assertEquals(0.0, registry.get("weft.upstream.failures").tag("server", mute.toString()).tag("kind", "check")
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
                host -> List.of(), new UpstreamMetrics(registry, "rise-fall", List.of(peer), p -> true), () -> 42L,
                new SplittableRandom(1));
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
        assertEquals(2, peer.transitions.get(), "out once, back once");
        assertEquals(42L, peer.lastTransition, "dated by the group's clock");
        assertEquals(6.0, registry.get("weft.upstream.failures").tag("kind", "check").counter().count());
    }
    @Test
    void theStatusClassesThatCountAsHealthyAreConfigurable() throws Exception {
        AtomicInteger answered = new AtomicInteger();
        HttpServer moved = closeLater(HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .get("/", (req, res) -> {
                    answered.incrementAndGet();
                    res.send(301, "elsewhere");
                })
                .start());
        ServerSocket other = listener(0);
        HealthCheck check = HealthCheck.http("/").withInterval(Duration.ofMillis(50)).withRise(1).withFall(2)
                .withTimeout(Duration.ofMillis(500));
        Upstream web = upstream(moved.port());
        UpstreamGroup strict = closeLater(UpstreamGroup.builder("strict").meterRegistry(registry)
                .healthCheck(check.withExpectedStatus(Set.of(2))).add(web).add(upstream(other.getLocalPort())).build());
        UpstreamGroup lenient = closeLater(UpstreamGroup.builder("lenient").meterRegistry(registry)
                .healthCheck(check).add(web).add(upstream(other.getLocalPort())).build());

        await().atMost(Duration.ofSeconds(10)).until(() -> !strict.isAvailable(web));
        assertEquals("status 301", strict.status().get(0).checkProblem());
        int seen = answered.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() >= seen + 6);
        assertTrue(lenient.isAvailable(web), "3xx is healthy by default (http_2xx http_3xx)");
        assertEquals(0.0, registry.get("weft.upstream.failures").tag("upstream", "lenient").tag("server", web.toString())
                .tag("kind", "check").counter().count());
    }

    @Test
    void httpSendIsSentByteForByte() throws Exception {
        String request = "HEAD /status?full=1 HTTP/1.0\r\nHost: backend.internal\r\nX-Probe: weft\r\n\r\n";
        Queue<String> received = new ConcurrentLinkedQueue<>();
        ServerSocket raw = listener(0);
        Thread.ofVirtual().start(() -> {
            while (!raw.isClosed()) {
                try (java.net.Socket s = raw.accept()) {
                    StringBuilder head = new StringBuilder();
                    java.io.InputStream in = s.getInputStream();
                    while (!head.toString().endsWith("\r\n\r\n") && head.length() < 8192) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        head.append((char) b);
                    }
                    received.add(head.toString());
                    s.getOutputStream().write("HTTP/1.0 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
        HealthCheck check = HealthCheck.tcp().withHttpSend(request).withInterval(Duration.ofMillis(50))
                .withExpectedStatus(Set.of(2)).withFall(1);
        assertTrue(check.isHttp());
        assertEquals("/status?full=1", check.httpPath());
        Upstream u = upstream(raw.getLocalPort());
        UpstreamGroup g = group(check, u, upstream(listener(0).getLocalPort()));

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 3);
        assertEquals(request, received.peek());
        assertTrue(g.isAvailable(u));
        assertEquals(0.0, registry.get("weft.upstream.failures").tag("server", u.toString()).tag("kind", "check")
                .counter().count());
    }

    @Test
    void everyAddressIsProbedAndTheFirstThatAcceptsDecides() throws Exception {
        int port = listener(0).getLocalPort(); // 127.0.0.1 accepts; nothing listens on 127.0.0.2 or .3
        InetAddress one = InetAddress.getByName("127.0.0.1");
        InetAddress two = InetAddress.getByName("127.0.0.2");
        InetAddress three = InetAddress.getByName("127.0.0.3");
        Map<String, List<InetAddress>> names = Map.of("refused-first.test", List.of(two, one),
                "accepted-first.test", List.of(one, two), "none.test", List.of(two, three));
        Peer peer = new Peer(upstream(port), true);
        HealthChecker checker = new HealthChecker("addresses", List.of(peer), FAST, names::get,
                new UpstreamMetrics(registry, "addresses", List.of(peer), p -> true), System::nanoTime,
                new SplittableRandom(1));

        HealthChecker.Verdict refusedFirst = checker.probe(new Endpoint("refused-first.test", port));
        assertEquals(null, refusedFirst.failure(), "a connection would go to 127.0.0.1, which accepts");
        assertTrue(refusedFirst.problem().startsWith("127.0.0.2: ConnectException"), refusedFirst.problem());

        HealthChecker.Verdict acceptedFirst = checker.probe(new Endpoint("accepted-first.test", port));
        assertEquals(null, acceptedFirst.failure());
        assertTrue(acceptedFirst.problem().startsWith("127.0.0.2: ConnectException"),
                "the address after the one that decides is probed too: " + acceptedFirst.problem());

        HealthChecker.Verdict none = checker.probe(new Endpoint("none.test", port));
        assertTrue(none.failure().matches("no address accepted: 127\\.0\\.0\\.2: ConnectException.*; 127\\.0\\.0\\.3: "
                + "ConnectException.*"), none.failure());

        Upstream named = Upstream.of("refused-first.test:" + port);
        UpstreamGroup g = closeLater(UpstreamGroup.builder("named").healthCheck(FAST).resolver(names::get)
                .meterRegistry(registry).add(named).add(Upstream.of("none.test:" + port)).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> g.status().get(0).checkProblem() != null
                && !g.isAvailable(Upstream.of("none.test:" + port)));
        assertTrue(g.isAvailable(named));
        assertEquals(UpstreamStatus.State.UP, g.status().get(0).state());
        assertTrue(g.status().get(0).checkProblem().startsWith("127.0.0.2: "));
    }

    @Test
    void eachServersFirstProbeWaitsARandomPartOfTheInterval() throws Exception {
        int port = listener(0).getLocalPort();
        Map<String, Long> firstProbe = new ConcurrentHashMap<>();
        Resolver recording = host -> {
            firstProbe.putIfAbsent(host, System.nanoTime());
            return List.of(InetAddress.getLoopbackAddress());
        };
        Duration interval = Duration.ofMillis(800);
        UpstreamGroup.Builder b = UpstreamGroup.builder("jitter").meterRegistry(registry).resolver(recording)
                .random(new SplittableRandom(3)).healthCheck(FAST.withInterval(interval));
        for (int i = 0; i < 5; i++) {
            b.add("s" + i + ".test:" + port);
        }
        UpstreamGroup g = closeLater(b.build());
        HealthChecker checker = g.checker();
        long[] offsets = checker.firstProbeOffsets();

        assertEquals(5, offsets.length);
        assertEquals(5, java.util.Arrays.stream(offsets).distinct().count());
        assertTrue(java.util.Arrays.stream(offsets).allMatch(o -> o >= 0 && o < interval.toNanos()));
        long spread = java.util.Arrays.stream(offsets).max().orElseThrow() - java.util.Arrays.stream(offsets).min().orElseThrow();
        assertTrue(spread > interval.toNanos() / 4, "spread over the interval: " + spread + " ns");

        await().atMost(Duration.ofSeconds(10)).until(() -> firstProbe.size() == 5);
        for (int i = 0; i < 5; i++) {
            long waited = firstProbe.get(checker.peers().get(i).upstream.endpoint().host()) - checker.startedAt();
            assertTrue(waited >= offsets[i], "server " + i + " probed after " + waited + " ns, before its "
                    + offsets[i] + " ns");
        }
    }

    @Test
    void aDownServerIsNeverProbed() throws Exception {
        int port = listener(0).getLocalPort();
        Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
        Resolver counting = host -> {
            lookups.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
            return List.of(InetAddress.getLoopbackAddress());
        };
        Upstream off = Upstream.of("off.test:" + port).withDown(true);
        UpstreamGroup g = closeLater(UpstreamGroup.builder("with-down").healthCheck(FAST).resolver(counting)
                .meterRegistry(registry).add(Upstream.of("on.test:" + port)).add(off).build());

        await().atMost(Duration.ofSeconds(10)).until(() -> lookups.containsKey("on.test") && lookups.get("on.test").get() >= 4);
        assertEquals(Set.of("on.test"), lookups.keySet());
        assertFalse(g.isAvailable(off));
        assertEquals(UpstreamStatus.State.DOWN, g.status().get(1).state());
    }
}
