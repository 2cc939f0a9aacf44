package dev.weft.client;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread per pool that enforces the write timeout of its connections: the JDK gives a
 * blocking socket write no timeout, so a server that stops reading would hold the writer (and its
 * lease) forever. Every tenth of the timeout (5 to 250 ms) it closes the connections whose current
 * write has made no progress for {@code writeTimeout}; the blocked write then fails with a
 * {@link java.net.SocketTimeoutException}. The same design as the server side's watchdog: one scan
 * of a volatile long per connection, no timer per socket.
 */
final class WriteWatchdog implements AutoCloseable {

    private static final long MIN_INTERVAL = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_INTERVAL = TimeUnit.MILLISECONDS.toNanos(250);

    private final Set<PooledConnection> connections = ConcurrentHashMap.newKeySet();
    private final long timeoutNanos;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;

    WriteWatchdog(String poolName, Duration writeTimeout) {
        this.timeoutNanos = writeTimeout.toNanos();
        this.intervalNanos = Math.max(MIN_INTERVAL, Math.min(MAX_INTERVAL, timeoutNanos / 10));
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
                c.expireWrite(now, timeoutNanos);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
