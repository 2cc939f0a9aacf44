package dev.weft.http;

import static dev.weft.http.RawHttpClient.head;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.tcp.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which thread serves each keep-alive request: on the epoll transport a connection waiting for its
 * next request holds no thread, so each request after a wait runs on a new one and a pipelined
 * batch stays on one; on the JDK transport one thread serves the connection throughout.
 */
class KeepAliveThreadsTest {

    private static final boolean EPOLL_RUNS = Transport.EPOLL.isAvailable();
    private static final String GET = head("GET /who HTTP/1.1", "Host: t");

    private final ServerHarness harness = new ServerHarness();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        harness.close();
    }

    private void start(Transport transport) {
        harness.start(b -> b.transport(transport).get("/who", (req, res) -> {
            threads.add(Thread.currentThread());
            res.send("ok");
        }));
    }

    @Test
    void onEpollEachRequestAfterAWaitRunsOnANewThreadAndNoneWaitsInBetween() throws IOException {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        start(Transport.EPOLL);
        RawHttpClient client = harness.connect();
        for (int i = 0; i < 3; i++) {
            assertEquals(200, client.send(GET).readResponse().status);
            Thread served = threads.get(i);
            await("the request's thread ends while the connection waits").atMost(Duration.ofSeconds(5))
                    .until(() -> !served.isAlive());
        }
        assertEquals(3, threads.stream().distinct().count(), threads.toString());
        assertEquals(1, harness.server().activeConnections(), "the connection stays open");
    }

    @Test
    void onEpollAPipelinedBatchIsServedOnOneThread() throws IOException {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        start(Transport.EPOLL);
        RawHttpClient client = harness.connect();
        client.send(GET + GET + GET);
        for (int i = 0; i < 3; i++) {
            assertEquals("ok", client.readResponse().bodyText());
        }
        assertEquals(1, threads.stream().distinct().count(), threads.toString());
    }

    @Test
    void onTheJdkTransportOneThreadServesTheConnection() throws IOException {
        start(Transport.JDK);
        RawHttpClient client = harness.connect();
        for (int i = 0; i < 3; i++) {
            assertEquals(200, client.send(GET).readResponse().status);
        }
        assertSame(threads.get(0), threads.get(2));
        assertTrue(threads.get(0).isAlive(), "the thread waits for the next request");
    }
}
