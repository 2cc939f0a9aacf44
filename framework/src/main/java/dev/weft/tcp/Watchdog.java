package dev.weft.tcp;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One platform thread per server that enforces read and write timeouts for all its connections.
 *
 * <p>The JDK gives a blocking socket write no timeout at all, and a read timeout costs a timed park
 * per read; this thread instead scans the open connections every {@link #interval} and closes those
 * whose current read or write has waited too long. The scan reads two volatile longs per
 * connection: 10,000 connections take well under a millisecond. Timeouts fire within one interval
 * of their due time.
 */
final class Watchdog implements Runnable {

    private static final Duration MIN_INTERVAL = Duration.ofMillis(5);
    private static final Duration MAX_INTERVAL = Duration.ofMillis(250);

    private final Collection<TcpConnection> connections;
    private final long writeTimeoutNanos;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;

    /** {@code firstBytesTimeout} may be null (see {@link TcpServer.Builder#clientSpeaksFirst}). */
    Watchdog(String name, Collection<TcpConnection> connections, ServerOptions options, Duration firstBytesTimeout) {
        this.connections = connections;
        this.writeTimeoutNanos = options.writeTimeout().toNanos();
        this.intervalNanos = interval(options, firstBytesTimeout).toNanos();
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this);
    }

    /** A tenth of the shortest timeout, kept between 5 and 250 ms. */
    private static Duration interval(ServerOptions options, Duration firstBytesTimeout) {
        Duration shortest = min(options.idleTimeout(), options.writeTimeout());
        if (firstBytesTimeout != null) {
            shortest = min(shortest, firstBytesTimeout);
        }
        Duration tenth = shortest.dividedBy(10);
        if (tenth.compareTo(MIN_INTERVAL) < 0) {
            return MIN_INTERVAL;
        }
        return tenth.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : tenth;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        while (running) {
            LockSupport.parkNanos(this, intervalNanos);
            long now = System.nanoTime();
            for (TcpConnection c : connections) {
                c.checkTimeouts(now, writeTimeoutNanos);
            }
        }
    }

    void stop() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }
}
