package dev.weft.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * Opens many connections to one address with a bounded number of connects in flight: that many
 * virtual threads take the next connection number until all are tried or the ramp time is up. A
 * failed or timed-out connect is counted, not fatal. Used once, from one thread.
 */
final class ConnectionRamp {

    private static final long TICK_MILLIS = 200;

    private final InetSocketAddress target;
    private final LoadOptions options;
    private final Socket[] sockets;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    ConnectionRamp(InetSocketAddress target, LoadOptions options) {
        this.target = target;
        this.options = options;
        this.sockets = new Socket[options.connections()];
    }

    /**
     * Connects; calls {@code progress(connected, failed)} every 200 ms and once at the end. Returns
     * the open sockets, in the order of their connection numbers.
     */
    List<Socket> run(BiConsumer<Integer, Integer> progress) throws InterruptedException {
        long deadline = System.nanoTime() + options.rampTimeout().toNanos();
        int workers = Math.min(options.concurrency(), options.connections());
        CountDownLatch done = new CountDownLatch(workers);
        for (int w = 0; w < workers; w++) {
            Thread.ofVirtual().name("connect-" + w).start(() -> {
                try {
                    connectUntil(deadline);
                } finally {
                    done.countDown();
                }
            });
        }
        // The workers end by themselves: no connect starts after the deadline, each is bounded by its timeout.
        while (!done.await(TICK_MILLIS, TimeUnit.MILLISECONDS)) {
            progress.accept(connected.get(), failed.get());
        }
        List<Socket> open = new ArrayList<>(connected.get());
        for (Socket s : sockets) {
            if (s != null) {
                open.add(s);
            }
        }
        progress.accept(open.size(), errors());
        return open;
    }

    /** Attempts that did not end with an open connection, including those never started in time. */
    int errors() {
        return options.connections() - connected.get();
    }

    /** The first connect failure, or {@code null}. */
    String firstError() {
        return firstError.get();
    }

    private void connectUntil(long deadline) {
        int timeoutMillis = (int) options.connectTimeout().toMillis();
        for (int i; System.nanoTime() < deadline && (i = next.getAndIncrement()) < sockets.length; ) {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(target, timeoutMillis);
                sockets[i] = socket;
                connected.incrementAndGet();
            } catch (IOException e) {
                closeQuietly(socket);
                failed.incrementAndGet();
                firstError.compareAndSet(null, e.toString());
            }
        }
    }

    /**
     * Closes with a reset instead of a FIN (SO_LINGER 0), so that no TIME_WAIT is left behind: runs
     * of 19,000 connections one after another would otherwise hold most of the ephemeral ports for
     * a minute, and the next server's {@code bind(port 0)} could find none free.
     */
    static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // Already closed or broken: close() below is all that is left to do.
        }
        closeQuietly(socket);
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort; the process exits soon after.
        }
    }
}
