package dev.weft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.dns.Resolver;
import dev.weft.testing.Answer;
import dev.weft.testing.LeakCheck;
import dev.weft.testing.MockUpstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.management.AttributeNotFoundException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The client's response body limit against a {@link MockUpstream} that sends too much: by
 * {@code Content-Length}, chunked, or until it closes. Each over-limit body fails with
 * {@code BODY_TOO_LARGE} naming the limit, reads no more than the limit, and closes its connection
 * (counted as {@code destroyed{reason=broken}}, the next request on a new connection).
 */
@ExtendWith(LeakCheck.class)
class HttpClientBodyLimitTest {

    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private MockUpstream upstream;
    private ConnectionPool pool;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = MockUpstream.start();
        pool = new ConnectionPool("limits", PoolOptions.DEFAULTS, Resolver.system(), registry);
    }

    @AfterEach
    void tearDown() {
        pool.close();
        upstream.close();
    }

    private HttpClient client(long limit) {
        return new HttpClient(pool, Duration.ofSeconds(10)).withMaxResponseBody(limit);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private String get(HttpClient client, String path) throws Exception {
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri(path)))) {
            return r.status() + " " + r.bodyAsString();
        }
    }

    @Test
    void theDefaultLimitIs16MiBAndANegativeOneIsRefused() {
        assertEquals(16L * MIB, HttpClient.DEFAULT_MAX_RESPONSE_BODY);
        assertEquals(HttpClient.DEFAULT_MAX_RESPONSE_BODY, new HttpClient(pool).maxResponseBody());
        assertEquals(HttpClient.DEFAULT_MAX_RESPONSE_BODY, new HttpClient(pool, Duration.ofSeconds(1)).maxResponseBody());
        assertEquals(Long.MAX_VALUE, new HttpClient(pool).withMaxResponseBody(HttpClient.NO_LIMIT).maxResponseBody());
        assertEquals(Duration.ofSeconds(1), new HttpClient(pool, Duration.ofSeconds(1)).withMaxResponseBody(5).totalTimeout());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HttpClient(pool).withMaxResponseBody(-1));
        assertTrue(e.getMessage().contains("maxResponseBody"), e.getMessage());
    }

    @Test
    void aContentLengthAtTheLimitIsReadAndOneByteMoreIsRefusedBeforeTheBody() throws Exception {
        byte[] atLimit = bytes(KIB);
        upstream.enqueue(Answer.status(200).body(atLimit), Answer.status(200).body(bytes(KIB + 1)), Answer.ok("next"));
        HttpClient client = client(KIB);
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/at-limit")))) {
            assertArrayEquals(atLimit, r.body().readAllBytes());
        }
        HttpClientException e = assertThrows(HttpClientException.class,
                () -> client.send(ClientRequest.get(upstream.uri("/over"))));
        assertEquals(HttpClientException.Kind.BODY_TOO_LARGE, e.kind());
        assertEquals(HttpClientException.Phase.BODY, e.phase());
        assertTrue(e.getMessage().contains("GET " + upstream.uri("/over")), e.getMessage());
        assertTrue(e.getMessage().contains("1025 bytes (Content-Length)"), e.getMessage());
        assertTrue(e.getMessage().contains("limit of 1024 bytes (1 KiB)"), e.getMessage());
        assertEquals(1.0, ClientTests.destroyedBroken(registry), "the connection is closed, not reused");
        assertEquals(0, pool.active());
        assertEquals("200 next", get(client, "/next"));
        assertEquals(List.of(List.of(0, 0), List.of(0, 1), List.of(1, 0)), ClientTests.connectionsUsed(upstream));
    }

    @Test
    void aHugeDeclaredLengthFailsAtOnceWithoutWaitingForTheBody() throws Exception {
        // The server promises 1 TiB and sends 4 bytes, then holds the connection: a client that
        // began reading the body would wait; this one refuses on the head alone.
        upstream.enqueue(Answer.ok("tiny").declaredLength(1L << 40).thenStall());
        HttpClient client = new HttpClient(pool, Duration.ofSeconds(10));
        long start = System.nanoTime();
        HttpClientException e = assertThrows(HttpClientException.class,
                () -> client.send(ClientRequest.get(upstream.uri("/huge"))));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 2000, "refused on the head");
        assertEquals(HttpClientException.Kind.BODY_TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("1099511627776 bytes (Content-Length)"), e.getMessage());
        assertTrue(e.getMessage().contains("limit of 16777216 bytes (16 MiB)"), e.getMessage());
        assertEquals(1.0, ClientTests.destroyedBroken(registry));
        assertEquals(0, pool.active());
        assertEquals(0, pool.idle());
    }

    @Test
    void aChunkedBodyOverTheLimitFailsTheReadThatPassesItAndClosesTheConnection() throws Exception {
        int limit = 64 * KIB;
        byte[] atLimit = bytes(limit);
        upstream.enqueue(Answer.status(200).body(atLimit).chunked(4000), Answer.status(200).body(bytes(MIB)).chunked(4000),
                Answer.ok("next"));
        HttpClient client = client(limit);
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/at-limit")))) {
            assertArrayEquals(atLimit, r.body().readAllBytes());
        }
        long delivered = 0;
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/over")))) {
            assertEquals("chunked", r.header("Transfer-Encoding"));
            InputStream body = r.body();
            byte[] buffer = new byte[8 * KIB];
            HttpClientException e = null;
            while (e == null) {
                try {
                    int n = body.read(buffer);
                    assertTrue(n >= 0, "the body ended after " + delivered + " bytes");
                    delivered += n;
                } catch (HttpClientException failure) {
                    e = failure;
                }
            }
            assertEquals(HttpClientException.Kind.BODY_TOO_LARGE, e.kind());
            assertTrue(e.getMessage().contains("larger than the limit of 65536 bytes (64 KiB)"), e.getMessage());
            assertEquals(HttpClientException.Kind.BODY_TOO_LARGE,
                    assertThrows(HttpClientException.class, () -> body.read(buffer)).kind(), "and every read after it");
        }
        assertTrue(delivered <= limit, delivered + " bytes handed out");
        assertEquals(1.0, ClientTests.destroyedBroken(registry), "closed, not drained and reused");
        assertEquals(0, pool.active());
        // The server sees the connection go: its write of the rest of the megabyte fails.
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 0);
        assertEquals("200 next", get(client, "/next"));
        assertEquals(List.of(List.of(0, 0), List.of(0, 1), List.of(1, 0)), ClientTests.connectionsUsed(upstream));
    }

    @Test
    void aBodyUntilCloseOverTheLimitFailsToo() throws Exception {
        String head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
        upstream.enqueue(Answer.raw(head + "x".repeat(100 * KIB)).thenClose(), Answer.raw(head + "y".repeat(KIB)).thenClose());
        HttpClient client = client(KIB);
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/until-close")))) {
            HttpClientException e = assertThrows(HttpClientException.class, r::bodyAsString);
            assertEquals(HttpClientException.Kind.BODY_TOO_LARGE, e.kind());
        }
        assertEquals("200 " + "y".repeat(KIB), get(client, "/at-limit"), "exactly the limit until close is fine");
        assertEquals(0, pool.active());
    }

    /**
     * The bytes this thread has allocated so far, or -1 where the JVM does not count them: HotSpot's
     * {@code com.sun.management.ThreadMXBean}, reached through the platform MBean server (the tests
     * run as the {@code dev.weft} module, which does not read {@code jdk.management}).
     */
    private static long allocatedBytes() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName threading = new ObjectName(ManagementFactory.THREAD_MXBEAN_NAME);
        try {
            if (!Boolean.TRUE.equals(server.getAttribute(threading, "ThreadAllocatedMemoryEnabled"))) {
                return -1;
            }
        } catch (AttributeNotFoundException e) {
            return -1;
        }
        return (Long) server.invoke(threading, "getThreadAllocatedBytes", new Object[] {Thread.currentThread().threadId()},
                new String[] {"long"});
    }

    @Test
    void bodyAsStringHoldsNoMoreThanTheLimitWhateverTheServerSends() throws Exception {
        Assumptions.assumeTrue(allocatedBytes() >= 0, "this JVM does not count the bytes a thread allocates");
        upstream.enqueue(Answer.status(200).body(bytes(32 * MIB)).chunked(64 * KIB));
        HttpClient client = client(MIB);
        try (ClientResponse r = client.send(ClientRequest.get(upstream.uri("/flood")))) {
            long before = allocatedBytes();
            HttpClientException e = assertThrows(HttpClientException.class, r::bodyAsString);
            long allocated = allocatedBytes() - before;
            assertEquals(HttpClientException.Kind.BODY_TOO_LARGE, e.kind());
            // The 1 MiB limit, its buffer's growth and the read buffers: a few MiB, not the 32 MiB sent.
            assertTrue(allocated < 8L * MIB, (allocated / KIB) + " KiB allocated reading the body");
        }
        assertEquals(1.0, ClientTests.destroyedBroken(registry));
    }

    @Test
    void noLimitStreamsABodyLargerThanTheDefaultLimit() throws Exception {
        byte[] large = bytes(20 * MIB);
        upstream.enqueue(Answer.status(200).body(large), Answer.status(200).body(large));
        HttpClient client = new HttpClient(pool, Duration.ofSeconds(30));
        HttpClientException e = assertThrows(HttpClientException.class,
                () -> client.send(ClientRequest.get(upstream.uri("/default"))));
        assertEquals(HttpClientException.Kind.BODY_TOO_LARGE, e.kind(), "20 MiB is over the default");
        HttpClient downloads = client.withMaxResponseBody(HttpClient.NO_LIMIT);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (ClientResponse r = downloads.send(ClientRequest.get(upstream.uri("/download")))) {
            InputStream body = r.body();
            byte[] buffer = new byte[64 * KIB];
            for (int n; (n = body.read(buffer)) >= 0; ) {
                sha.update(buffer, 0, n);
                total += n;
            }
        }
        assertEquals(large.length, total);
        assertTrue(Arrays.equals(MessageDigest.getInstance("SHA-256").digest(large), sha.digest()), "the same bytes");
        assertEquals(0, pool.active());
        assertEquals(1, pool.idle(), "read to its end, the connection went back to the shared pool");
    }
}
