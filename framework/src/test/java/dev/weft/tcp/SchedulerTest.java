package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.dns.CachingResolver;
import dev.weft.dns.Resolver;
import dev.weft.http.TransportPollers;
import dev.weft.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which scheduler the connections' threads got: the surefire executions set {@code
 * weft.test.expectScheduler} ({@code default} in the JDK-transport and plain epoll runs, {@code
 * carriers} in the {@code epoll-carriers} run), and this class fails a run that did not get it, as
 * {@link TransportTest} does for transports. A virtual thread's {@code toString()} names the thread it
 * is mounted on, so the check needs no open package: {@code weft-carrier-N} or a fork-join worker.
 * On carriers a connection's thread also stays on one OS thread for its life: the carrier whose poller
 * wakes it.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class SchedulerTest {

    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    private static final String EXPECTED = System.getProperty("weft.test.expectScheduler");
    private static final Pattern MOUNTED_ON = Pattern.compile("@(\\S+)$");

    /** Answers each line with the thread the handler is mounted on, read before and after each read. */
    private static final ConnectionHandler WHERE = conn -> {
        InputStream in = conn.in();
        OutputStream out = conn.out();
        byte[] b = new byte[64];
        while (in.read(b) > 0) {
            out.write((mountedOn() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    };

    private static String mountedOn() {
        Matcher m = MOUNTED_ON.matcher(Thread.currentThread().toString());
        return m.find() ? m.group(1) : "unmounted " + Thread.currentThread();
    }

    @Test
    void connectionThreadsRunOnTheExpectedScheduler() throws Exception {
        assumeTrue(EXPECTED != null, "weft.test.expectScheduler is set by the pom's executions");
        int connections = 4;
        int exchanges = 20;
        Set<String> carriersSeen = new HashSet<>();
        try (TcpServer server = TcpServer.builder().name("scheduler").bindAddress(InetAddress.getLoopbackAddress())
                .handler(WHERE).start()) {
            List<TestClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    clients.add(TestClient.connect(server.port(), s -> { }));
                }
                for (TestClient c : clients) {
                    Set<String> mine = new HashSet<>();
                    for (int i = 0; i < exchanges; i++) {
                        c.send(new byte[] {1});
                        mine.add(c.readLine());
                    }
                    for (String where : mine) {
                        assertMountedAsExpected(where, server.transport());
                    }
                    if (EXPECTED.equals("carriers")) {
                        // Woken by its carrier's poller each time, so always on that carrier.
                        assertEquals(1, mine.size(), "one connection, one carrier: " + mine);
                        carriersSeen.addAll(mine);
                    }
                }
            } finally {
                for (TestClient c : clients) {
                    c.close();
                }
            }
        }
        if (EXPECTED.equals("carriers")) {
            int carriers = Math.min(Integer.highestOneBit(Runtime.getRuntime().availableProcessors()), 32);
            assertEquals(Math.min(carriers, connections), carriersSeen.size(),
                    "accepted connections go round the carriers: " + carriersSeen);
        }
    }

    /** A handler started by the poller when the first bytes come also gets the socket's carrier, not the poller's slot. */
    @Test
    void aHandlerStartedAfterAWaitWithoutThreadRunsOnTheExpectedScheduler() throws Exception {
        assumeTrue(EXPECTED != null, "weft.test.expectScheduler is set by the pom's executions");
        try (TcpServer server = TcpServer.builder().name("scheduler-csf").bindAddress(InetAddress.getLoopbackAddress())
                .clientSpeaksFirst(Duration.ofSeconds(30)).handler(WHERE).start();
                TestClient c = TestClient.connect(server.port(), s -> { })) {
            c.send(new byte[] {1});
            assertMountedAsExpected(c.readLine(), server.transport());
        }
    }

    private static void assertMountedAsExpected(String where, Transport transport) {
        if (EXPECTED.equals("carriers")) {
            assertEquals(Transport.EPOLL, transport, "the carriers run only with the epoll transport");
            assertTrue(where.startsWith("weft-carrier-"), "expected a Weft carrier, the thread ran on " + where);
        } else {
            assertEquals("default", EXPECTED, "weft.test.expectScheduler is carriers or default");
            assertTrue(where.startsWith("ForkJoinPool"), "expected the JDK's scheduler, the thread ran on " + where);
        }
    }

    /**
     * Weft's own background threads started from a connection's thread on a carrier do not inherit
     * the carrier (a blocking lookup there would stall its connections): a DNS query of a
     * {@link CachingResolver} asked from a handler runs on the JDK's scheduler.
     */
    @Test
    void backgroundThreadsStartedFromACarrierRunOnTheJdksScheduler() throws Exception {
        assumeTrue("carriers".equals(EXPECTED), "only the epoll-carriers run has carriers");
        ConcurrentHashMap<String, String> seen = new ConcurrentHashMap<>();
        Resolver backend = host -> {
            seen.put("query", mountedOn());
            return List.of(InetAddress.getLoopbackAddress());
        };
        try (CachingResolver dns = new CachingResolver("scheduler-dns", backend);
                TcpServer server = TcpServer.builder().name("scheduler-bg").bindAddress(InetAddress.getLoopbackAddress())
                        .handler(conn -> {
                            seen.put("handler", mountedOn());
                            dns.resolve("example.test");
                            conn.out().write('\n');
                        }).start();
                TestClient c = TestClient.connect(server.port(), s -> { })) {
            assertEquals("", c.readLine());
        }
        assertTrue(seen.get("handler").startsWith("weft-carrier-"), seen.toString());
        assertTrue(seen.get("query").startsWith("ForkJoinPool"), seen.toString());
    }

    /**
     * A connection's thread on a carrier is the first in this test to read from a JDK socket (the
     * JDK's pollers then serve it): those pollers still run on the JDK's scheduler, because the probe
     * initialised them from a platform thread before any carrier existed (plan step 1; were they on a
     * carrier, every JDK socket in the process would wait while that carrier sleeps in epoll).
     */
    @Test
    void theJdkPollersAreNotOnWeftsCarriers() throws Exception {
        assumeTrue("carriers".equals(EXPECTED), "only the epoll-carriers run has carriers");
        ConcurrentHashMap<String, String> read = new ConcurrentHashMap<>();
        try (ServerSocket jdk = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                TcpServer server = TcpServer.builder().name("scheduler-jdk").bindAddress(InetAddress.getLoopbackAddress())
                        .handler(conn -> {
                            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), jdk.getLocalPort())) {
                                s.setSoTimeout(10_000);
                                int b = s.getInputStream().read(); // parks in a JDK poller
                                read.put("read", b + " on " + mountedOn());
                            }
                            conn.out().write('\n');
                        }).start();
                TestClient c = TestClient.connect(server.port(), s -> { })) {
            try (Socket peer = jdk.accept()) {
                peer.getOutputStream().write(42);
                assertEquals("", c.readLine());
            }
        }
        assertTrue(read.get("read").startsWith("42 on weft-carrier-"), read.toString());
        Class<?> poller = Class.forName("sun.nio.ch.Poller");
        Field owner = poller.getDeclaredField("owner");
        owner.setAccessible(true);
        List<Object> all = new ArrayList<>();
        all.addAll((List<?>) poller.getMethod("readPollers").invoke(null));
        all.addAll((List<?>) poller.getMethod("writePollers").invoke(null));
        assertFalse(all.isEmpty());
        Executor jdkScheduler = VirtualThreadAccess.defaultScheduler();
        for (Object p : all) {
            Thread t = (Thread) owner.get(p);
            assertTrue(t != null, "poller " + p + " has started");
            assertTrue(!t.isVirtual() || VirtualThreadAccess.schedulerOf(t) == jdkScheduler,
                    t + " runs on the JDK's scheduler, not on " + VirtualThreadAccess.schedulerOf(t));
        }
    }
}
