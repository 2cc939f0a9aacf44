package dev.weft.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code maxConnections} in both {@link LimitMode}s: never more handlers than the limit. */
class ConnectionLimitTest {

    private static final int LIMIT = 3;

    private final ServerFixture fixture = new ServerFixture();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    /** An echo handler that counts how many of it run at once. */
    private ConnectionHandler countingEcho() {
        return conn -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                conn.in().transferTo(conn.out());
            } finally {
                running.decrementAndGet();
            }
        };
    }

    @Test
    void backpressureLeavesTheExtraConnectionInTheBacklogUntilOneCloses() {
        fixture.start(countingEcho(), b -> b.maxConnections(LIMIT));
        List<TestClient> served = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            TestClient client = fixture.connect();
            client.assertEchoes("served " + i);
            served.add(client);
        }

        // The kernel completes the handshake from the backlog; the server does not accept it yet.
        TestClient waiting = fixture.connect();
        waiting.send("waited");

        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.limitWaits() > 0);
        await("only the limit is served, for a while").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                .until(() -> running.get() == LIMIT
                        && fixture.server().activeConnections() == LIMIT
                        && fixture.activeGauge() == LIMIT
                        && waiting.available() == 0);
        assertEquals(LIMIT, fixture.opened());

        served.get(0).close();

        assertEquals("waited", waiting.readString(6));
        assertEquals(LIMIT, maxRunning.get(), "never more handlers than the limit");
        assertEquals(LIMIT + 1, fixture.opened());
        assertEquals(0, fixture.rejected());
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.closed(CloseCause.PEER_CLOSED) == 1);
        assertEquals(0, fixture.closed(CloseCause.LIMIT));
    }

    @Test
    void rejectAcceptsTheExtraConnectionAndClosesItAtOnce() {
        fixture.start(countingEcho(), b -> b.maxConnections(LIMIT).limitMode(LimitMode.REJECT));
        List<TestClient> served = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            TestClient client = fixture.connect();
            client.assertEchoes("served " + i);
            served.add(client);
        }

        TestClient extra = fixture.connect();

        extra.assertEnded();
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.closed(CloseCause.LIMIT) == 1);
        assertEquals(1, fixture.rejected());
        assertEquals(0, fixture.limitWaits(), "reject mode never stops accepting");
        assertEquals(LIMIT, fixture.opened(), "a rejected connection is not counted as opened");
        assertEquals(LIMIT, maxRunning.get());
        for (TestClient client : served) {
            client.assertEchoes("still served");
        }

        // A closed connection frees its slot for the next one.
        served.get(0).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.server().activeConnections() == LIMIT - 1);
        fixture.connect().assertEchoes("took the freed slot");
        assertEquals(1, fixture.rejected());
        assertEquals(LIMIT + 1, fixture.opened());
    }
}
