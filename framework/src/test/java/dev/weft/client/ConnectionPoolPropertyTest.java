package dev.weft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.dns.Resolver;
import dev.weft.http.TransportPollers;
import dev.weft.tcp.Connection;
import dev.weft.tcp.ConnectionHandler;
import dev.weft.tcp.TcpServer;
import dev.weft.testing.LeakCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random walks over a {@link ConnectionPool} with small limits, against three echo servers
 * on 127.0.0.1 and one port that refuses: thousands of borrows (some {@code acquireFresh}),
 * exchanges, returns, broken leases (marked, reset, half-closed, reset by the server mid-exchange),
 * connections the servers close, reset or write to while idle or lent, evictor passes and moves of
 * a fake clock (ages and idle times, so {@code maxLifetime} and {@code validateAfterIdle}), each step
 * checked against a {@link PoolModel}: {@link PoolWalk} takes the steps, {@link PoolCheck} checks
 * counts, meters, limits and that no connection is lent twice. The limits and
 * {@code validateAfterIdle} come from the seed. A failure names the seed and the step and replays with
 * {@code -Dweft.pool.seed=<seed>}; {@code -Dweft.pool.seeds=<n>} walks n seeds from the first,
 * {@code -Dweft.pool.steps=<n>} changes the length of each walk.
 */
@ExtendWith(LeakCheck.class)
class ConnectionPoolPropertyTest {

    private static final long SEED = 0x15_2026_0107L; // three seeds with different limits
    private static final int SEEDS = 3;
    private static final int DEFAULT_STEPS = 2_000;
    private static final int STEPS = Integer.getInteger("weft.pool.steps", DEFAULT_STEPS);

    /** Made before the leak check's first look: the transport's pollers live as long as the JVM. */
    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    static LongStream seeds() {
        String replay = System.getProperty("weft.pool.seed");
        if (replay != null) {
            return LongStream.of(Long.decode(replay));
        }
        return LongStream.range(0, Integer.getInteger("weft.pool.seeds", SEEDS)).map(i -> SEED + i);
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** Each server's connections by {@link PoolWalk#key} of its port and the client's. */
    private final Map<Long, Connection> serverSide = new ConcurrentHashMap<>();
    private final List<TcpServer> servers = new ArrayList<>();
    /** Bound, never listening: holds a port whose connects are refused, so nothing else can take it. */
    private Socket refusingPort;
    private ConnectionPool pool;

    @BeforeEach
    void startServers() throws IOException {
        assumeTrue(TcpTable.available(), "needs /proc/net/tcp to see a server's reset reach a client socket");
        for (int i = 0; i < 3; i++) {
            servers.add(TcpServer.builder().name("echo-" + i).meterRegistry(new SimpleMeterRegistry())
                    .bindAddress(InetAddress.getLoopbackAddress()).idleTimeout(Duration.ofMinutes(5))
                    .handler(lineEcho()).start());
        }
        refusingPort = new Socket();
        refusingPort.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void tearDown() throws IOException {
        if (pool != null) {
            pool.close();
        }
        servers.forEach(TcpServer::close);
        if (refusingPort != null) {
            refusingPort.close();
        }
    }

    /** Echoes lines and records its connections; the line "reset" makes it abort the connection with a reset. */
    private ConnectionHandler lineEcho() {
        return conn -> {
            long key = PoolWalk.key(conn.localAddress().getPort(), conn.remoteAddress().getPort());
            serverSide.put(key, conn);
            try {
                InputStream in = conn.in();
                StringBuilder line = new StringBuilder();
                for (int b; (b = in.read()) >= 0; ) {
                    line.append((char) b);
                    if (b == '\n') {
                        if (line.toString().equals("reset\n")) {
                            conn.setOption(StandardSocketOptions.SO_LINGER, 0);
                            conn.close();
                            return;
                        }
                        conn.out().write(line.toString().getBytes(StandardCharsets.US_ASCII));
                        line.setLength(0);
                    }
                }
            } catch (IOException e) {
                if (!conn.isClosed()) {
                    throw e;
                } // else the walk closed this side: no handler failure
            } finally {
                serverSide.remove(key, conn);
            }
        };
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomStepsKeepEveryInvariant(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed); // java.util.Random's first values of seeds in a row are alike
        PoolOptions options = PoolOptions.DEFAULTS.withMaxPerEndpoint(2 + random.nextInt(2))
                .withMaxTotal(4 + random.nextInt(2)).withBorrowTimeout(Duration.ofMillis(20))
                .withReadTimeout(Duration.ofSeconds(5)).withMaxLifetime(Duration.ofSeconds(8))
                .withEviction(Duration.ofHours(1), Duration.ofHours(1)) // only the walk's own passes, and no idle time out
                .withValidateAfterIdle(random.nextBoolean() ? Duration.ZERO : Duration.ofSeconds(1));
        options = options.withIdle(0, options.maxPerEndpoint() - random.nextInt(2));
        String seedText = "seed " + seed + " (maxPerEndpoint " + options.maxPerEndpoint() + ", maxTotal "
                + options.maxTotal() + ", maxIdlePerEndpoint " + options.maxIdlePerEndpoint() + ", validateAfterIdle "
                + options.validateAfterIdle().toMillis() + " ms)";
        AtomicLong clock = new AtomicLong(1_000_000_000_000L);
        pool = new ConnectionPool("walk", options, Resolver.system(), registry, null, clock::get);
        List<Endpoint> live = servers.stream().map(s -> new Endpoint("127.0.0.1", s.port())).toList();
        Endpoint refusing = new Endpoint("127.0.0.1", refusingPort.getLocalPort());

        Map<String, Integer> seen = new PoolWalk(seedText, random, pool, clock, live, refusing, serverSide, registry)
                .run(STEPS);

        for (TcpServer s : servers) {
            await().atMost(Duration.ofSeconds(10)).until(() -> s.activeConnections() == 0);
        }
        System.out.println(seedText + ": " + seen);
        List<String> reached = new ArrayList<>(List.of("LEND", "NEW", "FRESH", "EXHAUSTED", "REFUSED",
                "cleared oldest for room, then NEW", "discarded on borrow STALE", "discarded on borrow EXPIRED",
                "evicted STALE", "returned broken", "exchange failed as planned", "server CLOSE (idle)",
                "server RESET (idle)", "server WRITE (idle)"));
        if (!options.validateAfterIdle().isZero()) {
            reached.add("lent unchecked, dead");
        }
        if (STEPS >= DEFAULT_STEPS) { // a shorter replay need not get everywhere
            for (String expected : reached) {
                assertTrue(seen.getOrDefault(expected, 0) > 0, seedText + ": the walk never got to " + expected + ": " + seen);
            }
        }
    }
}
