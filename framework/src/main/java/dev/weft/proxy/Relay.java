package dev.weft.proxy;

import dev.weft.tcp.Connection;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies bytes both ways between a client connection and an upstream socket until both sides have
 * finished: "a proxy is two loops copying bytes". Client to upstream runs on the connection's
 * thread, upstream to client on a virtual thread of its own. An end of stream on one side is passed
 * on as a half-close (FIN) to the other, and the other direction goes on. The relay ends when both
 * directions have ended, when either side fails (both sockets are then closed, so the other loop
 * ends at once), or when no byte has moved either way for the idle timeout.
 *
 * <p>The upstream loop also keeps the idle time: its socket's read timeout wakes it, and once the
 * upstream has finished it waits for the client direction with the same limit.
 */
final class Relay {

    private static final int BUFFER = 16 * 1024;

    private final Connection client;
    private final Socket upstream;
    private final long idleNanos;
    private final Counter sent;
    private final Counter received;
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    private final CountDownLatch clientDone = new CountDownLatch(1);
    private volatile boolean idledOut;

    Relay(Connection client, Socket upstream, Duration idleTimeout, Counter sent, Counter received) {
        this.client = client;
        this.upstream = upstream;
        this.idleNanos = idleTimeout.toNanos();
        this.sent = sent;
        this.received = received;
    }

    /** Relays until both directions have ended; true if it ended because both sides were idle. */
    boolean run() throws IOException, InterruptedException {
        upstream.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(idleNanos)));
        // The client direction never times out by itself: while a download runs the client may be
        // silent for long. The upstream loop watches the idle time for both.
        client.readTimeout(Duration.ofDays(3650));
        Thread down = Thread.ofVirtual().name(Thread.currentThread().getName() + "-upstream").start(this::downstream);
        try {
            copy(client.in(), upstream.getOutputStream(), sent);
            upstream.shutdownOutput();
        } catch (IOException e) {
            abort();
        } finally {
            clientDone.countDown();
        }
        down.join();
        return idledOut;
    }

    /** Upstream to client, then the idle watch until the client direction ends too. */
    private void downstream() {
        try {
            InputStream in = upstream.getInputStream();
            OutputStream out = client.out();
            byte[] buffer = new byte[BUFFER];
            for (;;) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    if (idle()) {
                        return;
                    }
                    continue;
                }
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                received.increment(n);
                lastActivity.set(System.nanoTime());
            }
            client.shutdownOutput();
            while (!clientDone.await(idleNanos - (System.nanoTime() - lastActivity.get()), TimeUnit.NANOSECONDS)) {
                if (idle()) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            abort();
        }
    }

    private void copy(InputStream in, OutputStream out, Counter counter) throws IOException {
        byte[] buffer = new byte[BUFFER];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            counter.increment(n);
            lastActivity.set(System.nanoTime());
        }
    }

    /** True, having closed both sides, if nothing moved for the idle timeout. */
    private boolean idle() {
        if (System.nanoTime() - lastActivity.get() < idleNanos) {
            return false;
        }
        idledOut = true;
        abort();
        return true;
    }

    private void abort() {
        client.close();
        try {
            upstream.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
