package dev.weft.bench.demo;

import dev.weft.bench.Loopback;
import dev.weft.tcp.TcpServer;
import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Exercises the server before the baseline is taken, so that one-time costs (class loading, the
 * JDK's socket pollers, JIT-compiled code) count in the baseline and not per connection: batches of
 * connections are opened, exchange a few messages and close, until the accept and read paths are
 * compiled. That also steadies the figures: a parked virtual thread's stack is copied to the heap,
 * and interpreted frames take more room there than compiled ones. Bounded in count and time;
 * blocks until the server has closed the connections again.
 */
final class Warmup {

    private static final int BATCHES = 200;
    private static final int BATCH = 32;
    private static final int ROUNDS = 5;
    private static final int MESSAGE = 64;
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private Warmup() {
    }

    /** What the warm-up does, for the report. */
    static String description() {
        return String.format("%,d connections in batches of %d, %d round trips each, before the baseline",
                BATCHES * BATCH, BATCH, ROUNDS);
    }

    static void run(TcpServer server) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        byte[] message = new byte[MESSAGE];
        for (int batch = 0; batch < BATCHES; batch++) {
            if (System.nanoTime() > deadline) {
                throw new DemoFailure("the warm-up took longer than " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NANOS)
                        + " s");
            }
            Socket[] sockets = new Socket[BATCH];
            try {
                for (int i = 0; i < BATCH; i++) {
                    sockets[i] = new Socket(Loopback.address(), server.port());
                    sockets[i].setSoTimeout((int) TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NANOS));
                }
                for (int round = 0; round < ROUNDS; round++) {
                    Arrays.fill(message, (byte) round);
                    for (Socket s : sockets) {
                        s.getOutputStream().write(message);
                    }
                    for (Socket s : sockets) {
                        if (!Arrays.equals(s.getInputStream().readNBytes(MESSAGE), message)) {
                            throw new DemoFailure("the echo server answered the warm-up wrongly");
                        }
                    }
                }
            } finally {
                for (Socket s : sockets) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
        }
        while (server.activeConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
