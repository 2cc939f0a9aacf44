package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.http.TransportPollers;
import dev.weft.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One hot connection does not starve the others on its carrier (issue #18, step 4): two clients
 * keep their connections' receive buffers full (one per carrier, the carriers take accepted sockets
 * in turn), and their handlers never find a read empty, so they never wait; they spend 200 µs on
 * each 16 KiB read. Meanwhile four ping connections, which share carriers with them, play ping-pong.
 * Without the I/O budget ({@code EpollSocket.IO_BUDGET}: a yield every 16 reads that did not wait) a
 * ping on a firehose's carrier gets no answer until the firehose stops; with it, every ping
 * connection keeps answering. Carriers only: on the JDK's scheduler a handler runs on whichever
 * worker is free. Bounded: 3 s of load.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class HotConnectionFairnessTest {

    private static final String EXPECTED_SCHEDULER = System.getProperty("weft.test.expectScheduler");
    private static final long LOAD_NANOS = TimeUnit.SECONDS.toNanos(3);

    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    private static final ConnectionHandler HANDLER = conn -> {
        InputStream in = conn.in();
        OutputStream out = conn.out();
        int role = in.read();
        if (role == 'F') {
            byte[] b = new byte[16 * 1024];
            while (in.read(b) > 0) {
                long until = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(200);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // work on each read: the client sends faster than this reads
                }
            }
        } else {
            for (int b; (b = in.read()) >= 0; ) {
                out.write(b);
            }
        }
    };

    /** Round trips a ping connection made while the firehoses ran, and its slowest one. */
    private record Pings(int count, long slowestNanos) {
    }

    @Test
    void pingsOnAFirehosesCarrierKeepGettingAnswers() throws Exception {
        assumeTrue("carriers".equals(EXPECTED_SCHEDULER), "the carriers' fairness: the epoll-carriers execution");
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        try (TcpServer server = TcpServer.builder().name("fairness").bindAddress(InetAddress.getLoopbackAddress())
                .handler(HANDLER).start()) {
            for (int i = 0; i < 2; i++) {
                Socket firehose = new Socket(InetAddress.getLoopbackAddress(), server.port());
                sockets.add(firehose);
                firehose.getOutputStream().write('F');
                threads.add(Thread.ofPlatform().daemon().name("firehose-" + i).start(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        OutputStream out = firehose.getOutputStream();
                        while (!stop.get()) {
                            out.write(chunk);
                        }
                    } catch (IOException closed) {
                        // the test is over
                    }
                }));
            }
            List<Socket> pingSockets = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Socket ping = new Socket(InetAddress.getLoopbackAddress(), server.port());
                ping.setTcpNoDelay(true);
                ping.setSoTimeout(20_000);
                ping.getOutputStream().write('P');
                sockets.add(ping);
                pingSockets.add(ping);
            }
            List<Pings> results = new ArrayList<>();
            List<Thread> pingers = new ArrayList<>();
            for (Socket ping : pingSockets) {
                pingers.add(Thread.ofPlatform().daemon().name("ping").start(() -> {
                    int count = 0;
                    long slowest = 0;
                    long end = System.nanoTime() + LOAD_NANOS;
                    try {
                        InputStream in = ping.getInputStream();
                        OutputStream out = ping.getOutputStream();
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            out.write('x');
                            if (in.read() != 'x') {
                                break;
                            }
                            slowest = Math.max(slowest, System.nanoTime() - t0);
                            count++;
                        }
                    } catch (IOException e) {
                        count = -1;
                    }
                    synchronized (results) {
                        results.add(new Pings(count, slowest));
                    }
                }));
            }
            for (Thread t : pingers) {
                t.join();
            }
            stop.set(true);
            for (Socket s : sockets) {
                s.close();
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(4, results.size());
            for (Pings p : results) {
                assertTrue(p.count() >= 20, "a ping connection made " + p.count() + " round trips in 3 s: " + results);
                assertTrue(p.slowestNanos() < TimeUnit.SECONDS.toNanos(1),
                        "a ping waited " + TimeUnit.NANOSECONDS.toMillis(p.slowestNanos()) + " ms: " + results);
            }
        } finally {
            stop.set(true);
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
