package dev.weft.client;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread per pool that enforces the read and write timeouts of its connections: the JDK
 * gives a blocking socket write no timeout at all (a server that stops reading would hold the writer
 * and its lease forever), and a read timeout costs a timer per read on a virtual thread. Every tenth
 * of the shorter timeout (5 to 250 ms) it closes the connections whose current write has made no
 * progress for {@code writeTimeout}, or whose current read has waited longer than its read timeout;
 * the blocked call then fails with a {@link java.net.SocketTimeoutException}. The same design as
 * the server side's watchdog: a scan of volatile longs per connection, no timer per socket.
 */
final class WriteWatchdog implements AutoCloseable {

    private static final long MIN_INTERVAL = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_INTERVAL = TimeUnit.MILLISECONDS.toNanos(250);

    private final Set<PooledConnection> connections = ConcurrentHashMap.newKeySet();
    private final long timeoutNanos;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;

    WriteWatchdog(String poolName, Duration writeTimeout, Duration readTimeout) {
        this.timeoutNanos = writeTimeout.toNanos();
        long shorter = Math.min(timeoutNanos, readTimeout.toNanos());
        this.intervalNanos = Math.max(MIN_INTERVAL, Math.min(MAX_INTERVAL, shorter / 10));
        this.thread = Thread.ofPlatform().daemon().name("weft-pool-" + poolName + "-writes").start(this::run);
    }

    void watch(PooledConnection c) {
        connections.add(c);
    }

    void forget(PooledConnection c) {
        connections.remove(c);
    }

    private void run() {
        while (running) {
            LockSupport.parkNanos(this, intervalNanos);
            long now = System.nanoTime();
            for (PooledConnection c : connections) {
                c.expire(now, timeoutNanos);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
