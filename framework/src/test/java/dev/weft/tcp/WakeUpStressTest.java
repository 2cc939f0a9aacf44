package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.TransportPollers;
import dev.weft.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No wake-up is lost over real sockets (issue #18's stress test, step 3): many connections play
 * ping-pong with random idle gaps, so the server's pollers keep going to sleep in {@code epoll_wait}
 * (on carriers: the carrier with them) and are woken by a socket, by another carrier or by a platform
 * thread. Each handler hands every message to a small pool of platform threads and waits for the
 * answer, so a handler is also woken from outside its carrier (on carriers: the eventfd, written
 * only by the submitter that finds the carrier asleep). Bounded in count and time: a lost wake-up is a
 * client read that times out (10 s), naming its connection, or the test's own limit.
 *
 * <p>It runs in every surefire execution; it is about the carriers in {@code epoll-carriers}.
 */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class WakeUpStressTest {

    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    private static final int CONNECTIONS = 64;
    private static final int MESSAGES = 1_000;
    private static final long MAX_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    @Test
    void everyPingOfManyConnectionsWithIdleGapsGetsItsPong() throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("worker-", 0)
                .factory());
        AtomicLong handedOff = new AtomicLong();
        ConnectionHandler handler = conn -> {
            InputStream in = conn.in();
            OutputStream out = conn.out();
            byte[] b = new byte[8];
            int n;
            while ((n = in.readNBytes(b, 0, b.length)) == b.length) {
                byte[] msg = b.clone();
                // Parks this thread; a platform thread completes the future and so unparks it.
                byte[] answer = CompletableFuture.supplyAsync(() -> {
                    handedOff.incrementAndGet();
                    msg[0] ^= 1;
                    return msg;
                }, workers).get(10, TimeUnit.SECONDS);
                out.write(answer);
            }
            assertEquals(0, n, "the client sends whole messages");
        };
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        try (TcpServer server = TcpServer.builder().name("wake-up").bindAddress(InetAddress.getLoopbackAddress())
                .handler(handler).start()) {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                int id = c;
                done.add(clients.submit(() -> pingPong(server.port(), id)));
            }
            for (int c = 0; c < CONNECTIONS; c++) {
                assertEquals(MESSAGES, done.get(c).get(100, TimeUnit.SECONDS), "connection " + c);
            }
        } finally {
            clients.shutdownNow();
            workers.shutdownNow();
            assertTrue(workers.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals((long) CONNECTIONS * MESSAGES, handedOff.get());
    }

    /** Sends {@link #MESSAGES} pings, each after a random gap (none in half the cases), and checks every pong. */
    private static int pingPong(int port, int id) throws IOException {
        SplittableRandom random = new SplittableRandom(id);
        int answered = 0;
        try (TestClient client = TestClient.connect(port, s -> { })) {
            byte[] ping = new byte[8];
            for (int i = 0; i < MESSAGES; i++) {
                if (random.nextBoolean()) {
                    LockSupport.parkNanos(random.nextLong(MAX_GAP_NANOS)); // idle: the server may sleep
                }
                ping[0] = (byte) (i << 1);
                ping[1] = (byte) id;
                ping[2] = (byte) (i >> 7);
                client.send(ping);
                byte[] pong = client.readExactly(8);
                byte[] expected = ping.clone();
                expected[0] ^= 1;
                assertEquals(Arrays.toString(expected), Arrays.toString(pong),
                        "connection " + id + ", message " + i);
                answered++;
            }
            client.shutdownOutput();
            client.assertEnded();
        }
        return answered;
    }
}
