package dev.weft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.dns.Resolver;
import dev.weft.http.TransportPollers;
import dev.weft.testing.Answer;
import dev.weft.testing.LeakCheck;
import dev.weft.testing.MockUpstream;
import dev.weft.testing.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pool's leases against a misbehaving HTTP upstream ({@link MockUpstream}, issue #15): a peer
 * that resets at once, one that closes a kept-alive connection while it is idle, one that resets it
 * while idle, one that never answers and one that sends what nobody asked for. In each case the
 * lease that met the fault is broken, the bad connection is never lent again, the meters say why it
 * went, and the next borrow gets a working connection. The exchanges are raw HTTP/1.1 on the
 * lease's streams, so what the upstream received is checked byte for byte.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class ConnectionPoolHostilePeerTest {

    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private MockUpstream upstream;
    private ConnectionPool pool;
    private Endpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        upstream = MockUpstream.start();
        endpoint = new Endpoint("127.0.0.1", upstream.port());
    }

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.close();
        }
        upstream.close();
    }

    private ConnectionPool pool(PoolOptions options) {
        pool = new ConnectionPool("hostile", options, Resolver.system(), registry);
        return pool;
    }

    private long destroyed(String reason) {
        return (long) registry.get("weft.pool.connections.destroyed").tag("reason", reason).counter().count();
    }

    /** Sends {@code GET path} on the lease and reads a response with a Content-Length body; returns the body. */
    private static String get(Lease lease, String path) throws IOException {
        lease.out().write(("GET " + path + " HTTP/1.1\r\nHost: upstream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = lease.in();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("end of stream inside the response head: " + head);
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int at = text.toLowerCase().indexOf("content-length:");
        int length = Integer.parseInt(text.substring(at + 15, text.indexOf('\r', at)).trim());
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("end of stream inside the body");
        }
        return new String(body, StandardCharsets.US_ASCII);
    }

    @Test
    void aPeerThatResetsAtOnceBreaksOnlyThatLease() throws Exception {
        upstream.enqueue(Answer.resetOnAccept(), Answer.ok("second"));
        pool(PoolOptions.DEFAULTS);
        // The reset may land before the connect is seen to complete (the borrow fails) or after
        // (the first read fails): either way that request fails and nothing bad is kept.
        assertThrows(IOException.class, () -> {
            try (Lease lease = pool.acquire(endpoint)) {
                assertFalse(lease.isReused());
                try {
                    get(lease, "/first");
                } finally {
                    assertTrue(lease.isBroken(), "an I/O failure breaks the lease");
                }
            }
        });
        assertEquals(0, pool.idle(endpoint));
        assertEquals(0, pool.active(endpoint));
        try (Lease lease = pool.acquire(endpoint)) {
            assertFalse(lease.isReused(), "a new connection, never the reset one");
            assertEquals("second", get(lease, "/second"));
        }
        assertEquals(2, upstream.connectionCount());
    }

    @Test
    void keptAliveConnectionsAreReusedAndOneTheServerClosedWhileIdleIsNeverLent() throws Exception {
        upstream.enqueue(Answer.ok("one"), Answer.ok("two").thenClose(), Answer.ok("three"));
        pool(PoolOptions.DEFAULTS.withValidateAfterIdle(Duration.ZERO));
        try (Lease lease = pool.acquire(endpoint)) {
            assertEquals("one", get(lease, "/1"));
        }
        try (Lease lease = pool.acquire(endpoint)) {
            assertTrue(lease.isReused(), "kept alive");
            assertEquals("two", get(lease, "/2")); // and then the server closes it
        }
        assertEquals(1, upstream.connectionCount());
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 0);
        try (Lease lease = pool.acquire(endpoint)) {
            assertFalse(lease.isReused(), "the closed one was probed and dropped");
            assertEquals("three", get(lease, "/3"));
        }
        assertEquals(1, destroyed("stale"));
        assertEquals(2, upstream.connectionCount());
        RecordedRequest first = upstream.takeRequest();
        assertEquals("GET /1 HTTP/1.1", first.requestLine());
        assertEquals("upstream", first.header("Host"));
    }

    @Test
    void aConnectionResetWhileIdleIsNeverLent() throws Exception {
        upstream.enqueue(Answer.ok("one").thenReset(), Answer.ok("two"));
        pool(PoolOptions.DEFAULTS.withValidateAfterIdle(Duration.ZERO));
        try (Lease lease = pool.acquire(endpoint)) {
            assertEquals("one", get(lease, "/1"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 0);
        try (Lease lease = pool.acquire(endpoint)) {
            assertFalse(lease.isReused());
            assertEquals("two", get(lease, "/2"));
        }
        assertEquals(1, destroyed("stale"));
    }

    @Test
    void bytesNobodyAskedForMakeAnIdleConnectionStale() throws Exception {
        // Content-Length 1 with a 6-byte body: five bytes stay on the connection after the answer.
        upstream.enqueue(Answer.ok("1extra").declaredLength(1), Answer.ok("two"));
        pool(PoolOptions.DEFAULTS.withValidateAfterIdle(Duration.ZERO));
        try (Lease lease = pool.acquire(endpoint)) {
            assertEquals("1", get(lease, "/1"));
        }
        try (Lease lease = pool.acquire(endpoint)) {
            assertFalse(lease.isReused(), "unexpected bytes: not lent");
            assertEquals("two", get(lease, "/2"));
        }
        assertEquals(1, destroyed("stale"));
    }

    @Test
    void aPeerThatNeverAnswersIsCutByTheReadTimeoutAndTheConnectionGoes() throws Exception {
        upstream.enqueue(Answer.noAnswer(), Answer.ok("after"));
        pool(PoolOptions.DEFAULTS.withReadTimeout(Duration.ofMillis(300)));
        long t0 = System.nanoTime();
        try (Lease lease = pool.acquire(endpoint)) {
            IOException e = assertThrows(IOException.class, () -> get(lease, "/stuck"));
            assertTrue(e instanceof SocketTimeoutException, "a read timeout: " + e);
            assertTrue(lease.isBroken());
        }
        long millis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertTrue(millis >= 290 && millis < 10_000, "cut after " + millis + " ms");
        assertEquals(1, destroyed("broken"));
        assertEquals(0, pool.active(endpoint));
        assertEquals(0, pool.idle(endpoint));
        try (Lease lease = pool.acquire(endpoint)) {
            assertFalse(lease.isReused());
            assertEquals("after", get(lease, "/after"));
        }
    }
}
