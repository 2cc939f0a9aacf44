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
 *
 * <p>Deadlines (the HTTP client's total timeout, {@link PooledConnection#deadline}) need more than
 * a tenth of a timeout's precision: a 300 ms deadline must not become 550 ms. So each scan also
 * learns the earliest deadline or timeout still ahead and sleeps only until then, and a connection
 * given a deadline earlier than the planned wake-up wakes the thread ({@link #due}). Plain reads and
 * writes never wake it (their timeouts are ten intervals away); an exchange whose deadline falls
 * within the next interval costs one wake-up.
 */
final class WriteWatchdog implements AutoCloseable {

    private static final long MIN_INTERVAL = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_INTERVAL = TimeUnit.MILLISECONDS.toNanos(250);

    private final Set<PooledConnection> connections = ConcurrentHashMap.newKeySet();
    private final long timeoutNanos;
    private final long intervalNanos;
    private final Thread thread;
    /** When the thread will look next ({@link System#nanoTime()}): at most one interval ahead. */
    private volatile long wakeAt;
    private volatile boolean running = true;
    /** Run on each round (the pool's lease tracker); must not block. */
    private final Runnable chore;

    WriteWatchdog(String poolName, Duration writeTimeout, Duration readTimeout) {
        this(poolName, writeTimeout, readTimeout, () -> { });
    }

    WriteWatchdog(String poolName, Duration writeTimeout, Duration readTimeout, Runnable chore) {
        this.chore = chore;
        this.timeoutNanos = writeTimeout.toNanos();
        long shorter = Math.min(timeoutNanos, readTimeout.toNanos());
        this.intervalNanos = Math.max(MIN_INTERVAL, Math.min(MAX_INTERVAL, shorter / 10));
        this.wakeAt = System.nanoTime();
        this.thread = Thread.ofPlatform().daemon().name("weft-pool-" + poolName + "-writes").start(this::run);
    }

    void watch(PooledConnection c) {
        connections.add(c);
    }

    void forget(PooledConnection c) {
        connections.remove(c);
    }

    /** Something is due at {@code nanos}: wakes the thread if it planned to look later. */
    void due(long nanos) {
        if (nanos - wakeAt < 0) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (running) {
            long now = System.nanoTime();
            long next = now + intervalNanos;
            // Published before the scan: a deadline set during it and due before the next regular
            // look wakes the thread (the unpark is kept for the park below), so none is missed.
            wakeAt = next;
            for (PooledConnection c : connections) {
                long due = c.expire(now, timeoutNanos);
                if (due != 0 && due - next < 0) {
                    next = due;
                }
            }
            wakeAt = next;
            chore.run();
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
