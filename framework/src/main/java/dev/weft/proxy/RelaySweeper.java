package dev.weft.proxy;

import dev.weft.internal.BackgroundThreads;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends the relays of one proxy where nothing moved either way for the idle timeout: one virtual
 * thread per proxy, every quarter of the timeout (between 10 ms and a second), instead of a read
 * timeout per socket (a read of one direction may wait as long as the other moves).
 */
final class RelaySweeper implements AutoCloseable {

    private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
    private final long idleNanos;
    private final Thread thread;
    private volatile boolean closed;

    RelaySweeper(String name, Duration idleTimeout) {
        this.idleNanos = idleTimeout.toNanos();
        this.thread = BackgroundThreads.builder().name("weft-proxy-" + name + "-idle").start(this::sweep);
    }

    /** Runs {@code relay} to its end under this sweeper's idle timeout, and says how it ended. */
    Relay.Outcome run(Relay relay) throws InterruptedException {
        relays.add(relay);
        try {
            return relay.run();
        } finally {
            relays.remove(relay);
        }
    }

    private void sweep() {
        long interval = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(idleNanos / 4, TimeUnit.SECONDS.toNanos(1)));
        while (!closed) {
            LockSupport.parkNanos(this, interval);
            long now = System.nanoTime();
            for (Relay relay : relays) {
                relay.expireIfIdle(now, idleNanos);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
