package dev.weft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.dns.Resolver;
import dev.weft.testing.Answer;
import dev.weft.testing.LeakCheck;
import dev.weft.testing.MockUpstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * The client's total timeout as a deadline for every step of an exchange: each test makes one step
 * wait (a pool of one held by another lease, a lookup that does not answer, a listener whose
 * backlog is full, a server that stops reading, one that never answers) while the pool's own
 * timeouts are far longer, and expects {@code TOTAL_TIMEOUT} naming that step within the deadline
 * plus {@link #SLACK}, with no connection left behind ({@link LeakCheck}, the pool's counts).
 */
@ExtendWith(LeakCheck.class)
class HttpClientDeadlineTest {

    private static final Duration DEADLINE = Duration.ofMillis(300);
    /**
     * Scheduling on a shared 2-core machine, and the first use of each code path in the JVM (class
     * loading, string concatenation's bootstrap): up to 160 ms seen under load; a warm exchange ends
     * within a few milliseconds of its deadline. The pool's own timeouts in these tests, which
     * would end the waits without the deadline, are 3 s and more.
     */
    private static final Duration SLACK = Duration.ofMillis(500);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private MockUpstream upstream;
    private ConnectionPool pool;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = MockUpstream.start();
    }

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.close();
        }
        upstream.close();
    }

    private HttpClient client(PoolOptions options, Resolver resolver) {
        pool = new ConnectionPool("deadline", options, resolver, registry);
        return new HttpClient(pool, Duration.ofSeconds(30));
    }

    /** Runs {@code send}, expects a total timeout in {@code phase}, within the deadline and the slack. */
    private static HttpClientException timesOut(HttpClientException.Phase phase, Executable send) {
        long start = System.nanoTime();
        HttpClientException e = assertThrows(HttpClientException.class, send);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(HttpClientException.Kind.TOTAL_TIMEOUT, e.kind(), e.getMessage());
        assertEquals(phase, e.phase(), e.getMessage());
        assertTrue(e.getMessage().contains("total timeout of " + DEADLINE.toMillis() + " ms ran out " + phase.doing()),
                e.getMessage());
        assertTrue(elapsed >= DEADLINE.toMillis() - 1 && elapsed < DEADLINE.plus(SLACK).toMillis(),
                elapsed + " ms for a deadline of " + DEADLINE.toMillis() + " ms: " + e.getMessage());
        return e;
    }

    @Test
    void aBorrowWaitIsCutToTheDeadline() throws Exception {
        upstream.defaultAnswer(Answer.ok("free"));
        HttpClient client = client(PoolOptions.DEFAULTS.withMaxPerEndpoint(1), Resolver.system()); // borrow timeout 5 s
        URI uri = upstream.uri("/");
        try (Lease held = pool.acquire(new Endpoint("127.0.0.1", upstream.port()))) {
            HttpClientException e = timesOut(HttpClientException.Phase.BORROW,
                    () -> client.send(ClientRequest.get(uri), DEADLINE));
            assertTrue(e.getMessage().contains("1 lent of at most 1"), e.getMessage());
            assertEquals(1, pool.active(), "only the held lease");
        }
        try (ClientResponse r = client.send(ClientRequest.get(uri), DEADLINE)) {
            assertEquals("free", r.bodyAsString(), "the pool still lends once the lease is back");
        }
        assertEquals(0, pool.active());
    }

    @Test
    void theClientsTotalTimeoutIsTheDefaultDeadlineAndTheBorrowTimeoutStillCountsWhenShorter() throws Exception {
        pool = new ConnectionPool("deadline", PoolOptions.DEFAULTS.withMaxPerEndpoint(1), Resolver.system(), registry);
        URI uri = upstream.uri("/");
        try (Lease held = pool.acquire(new Endpoint("127.0.0.1", upstream.port()))) {
            timesOut(HttpClientException.Phase.BORROW, () -> new HttpClient(pool, DEADLINE).send(ClientRequest.get(uri)));
            try (ConnectionPool quick = new ConnectionPool("quick", PoolOptions.DEFAULTS.withMaxPerEndpoint(1)
                    .withBorrowTimeout(Duration.ofMillis(50)), Resolver.system(), registry);
                    Lease heldToo = quick.acquire(new Endpoint("127.0.0.1", upstream.port()))) {
                HttpClientException e = assertThrows(HttpClientException.class,
                        () -> new HttpClient(quick).send(ClientRequest.get(uri), Duration.ofSeconds(10)));
                assertEquals(HttpClientException.Kind.POOL_EXHAUSTED, e.kind(), "the pool's limit ran out first");
                assertEquals(HttpClientException.Phase.BORROW, e.phase());
            }
        }
    }

    @Test
    void aLookupThatDoesNotAnswerIsCutToTheDeadline() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        Resolver slow = host -> {
            try {
                answer.await(5, TimeUnit.SECONDS); // a DNS server that is slow to answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(InetAddress.getLoopbackAddress());
        };
        upstream.defaultAnswer(Answer.ok("resolved"));
        HttpClient client = client(PoolOptions.DEFAULTS, slow);
        URI uri = URI.create("http://slow-dns.test:" + upstream.port() + "/");
        try {
            timesOut(HttpClientException.Phase.LOOKUP, () -> client.send(ClientRequest.get(uri), DEADLINE));
        } finally {
            answer.countDown();
        }
        assertEquals(0, upstream.connectionCount(), "no connect after the deadline");
        try (ClientResponse r = client.send(ClientRequest.get(uri), Duration.ofSeconds(5))) {
            assertEquals("resolved", r.bodyAsString());
        }
        assertEquals(0, pool.active());
    }

    @Test
    void aConnectToAListenerWithAFullBacklogIsCutToTheDeadline() throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) { // never accepts
            InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
            boolean full = false;
            for (int i = 0; i < 16 && !full; i++) {
                Socket filler = new Socket();
                fillers.add(filler);
                try {
                    filler.connect(address, 200);
                } catch (SocketTimeoutException e) {
                    full = true; // the kernel drops SYNs to a listener whose accept queue is full
                }
            }
            Assumptions.assumeTrue(full, "the listen backlog did not fill with 16 connections");
            HttpClient client = client(PoolOptions.DEFAULTS, Resolver.system()); // connect timeout 3 s
            URI uri = URI.create("http://127.0.0.1:" + address.getPort() + "/");
            timesOut(HttpClientException.Phase.CONNECT, () -> client.send(ClientRequest.get(uri), DEADLINE));
            assertEquals(0, pool.active());
            assertEquals(0, pool.idle());
        } finally {
            for (Socket filler : fillers) {
                filler.close();
            }
        }
    }

    @Test
    void aWriteToAServerThatStopsReadingIsCutToTheDeadline() throws Exception {
        upstream.enqueue(Answer.noAnswer().beforeRequestBody()); // reads the head, never the body
        HttpClient client = client(PoolOptions.DEFAULTS, Resolver.system()); // write timeout 30 s
        long length = 1L << 30; // far more than the socket buffers hold
        ClientRequest.Body endless = new ClientRequest.Body() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                byte[] piece = new byte[64 * 1024];
                for (long sent = 0; sent < length; sent += piece.length) {
                    out.write(piece);
                }
            }

            @Override
            public boolean replayable() {
                return true;
            }
        };
        timesOut(HttpClientException.Phase.WRITE,
                () -> client.send(ClientRequest.post(upstream.uri("/upload"), endless), DEADLINE));
        assertEquals(1, upstream.requestCount(), "not retried");
        assertEquals(1.0, ClientTests.destroyedBroken(registry), "the connection is closed");
        assertEquals(0, pool.active());
    }

    @Test
    void aServerThatNeverAnswersIsCutAtTheDeadlineAsTheHead() throws Exception {
        upstream.enqueue(Answer.noAnswer(), Answer.ok("next"));
        HttpClient client = client(PoolOptions.DEFAULTS, Resolver.system()); // read timeout 30 s
        timesOut(HttpClientException.Phase.HEAD, () -> client.send(ClientRequest.get(upstream.uri("/silent")), DEADLINE));
        assertEquals(1.0, ClientTests.destroyedBroken(registry));
        assertEquals(0, pool.active());
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/next")), DEADLINE)) {
            assertEquals("next", r.bodyAsString());
        }
        assertEquals(2, upstream.connectionCount(), "the timed-out connection was not lent again");
    }

    @Test
    void aWaitEndsWithinMillisecondsOfTheDeadlineNotAtTheWatchdogsNextScan() throws Exception {
        // With these pool timeouts (30 s) the watchdog scans every 250 ms; a deadline that only a
        // scan noticed would end each wait up to 250 ms late (about 150 ms for back-to-back exchanges).
        upstream.enqueue(Answer.ok("warm"));
        upstream.defaultAnswer(Answer.noAnswer());
        HttpClient client = client(PoolOptions.DEFAULTS, Resolver.system());
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/warm")))) {
            assertEquals("warm", r.bodyAsString(), "the code paths loaded before the clock matters");
        }
        Duration deadline = Duration.ofMillis(100);
        long[] lateMillis = new long[7];
        for (int i = 0; i < lateMillis.length; i++) {
            long start = System.nanoTime();
            HttpClientException e = assertThrows(HttpClientException.class,
                    () -> client.send(ClientRequest.get(upstream.uri("/silent")), deadline));
            lateMillis[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) - deadline.toMillis();
            assertEquals(HttpClientException.Kind.TOTAL_TIMEOUT, e.kind(), e.getMessage());
        }
        long[] sorted = lateMillis.clone();
        Arrays.sort(sorted);
        assertTrue(sorted[0] >= -1, "never before the deadline: " + Arrays.toString(lateMillis));
        assertTrue(sorted[sorted.length / 2] < 50, "median lateness, ms: " + Arrays.toString(lateMillis));
        assertEquals(0, pool.active());
    }

    @Test
    void aTimeoutThatIsNotPositiveIsRefused() {
        pool = new ConnectionPool("deadline", PoolOptions.DEFAULTS, Resolver.system(), registry);
        HttpClient client = new HttpClient(pool);
        assertThrows(IllegalArgumentException.class,
                () -> client.send(ClientRequest.get(upstream.uri("/")), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new HttpClient(pool, Duration.ofMillis(-1)));
        assertEquals(0, upstream.connectionCount());
    }
}
