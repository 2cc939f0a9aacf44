package dev.weft.tcp;

import dev.weft.internal.BackgroundThreads;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Rescues the threads queued on a carrier that is stuck in one continuation (issue #18, step 5): a
 * virtual thread pinned in a blocking call (a {@code synchronized} block around a read on JDK 21 to
 * 23, a file or FIFO {@code open}, a slow {@code getaddrinfo}) or a long computation holds its
 * carrier's OS thread, and with it the carrier's poller and every connection there. One platform
 * daemon thread looks at every carrier each {@code stallTimeout / 5}; a carrier that has run one task
 * for longer than {@code stallTimeout} ({@code -Dweft.carrier.stallTimeout}, milliseconds, default
 * 50) while others wait in its queue is {@linkplain Carrier#handOff() handed off}: its queue moves
 * to the JDK's scheduler and new submissions go there until the stuck task returns, so the other
 * connections wait at most about {@code stallTimeout} plus a tick. A carrier asleep in its poller's
 * {@code epoll_wait} has a task "running" too (the poller), but it is asleep, not stuck.
 *
 * <p>Each stall is counted ({@code weft.carrier.stalls}, {@link #stalls()}) and logged once per
 * stall at WARNING, from a virtual thread of the JDK's scheduler after the queue has moved: never
 * from this thread, which must not block on a logger's lock that a thread queued on the stuck
 * carrier may hold. Micronaut's loom-carrier mode and Netty's virtual-thread scheduler have no such
 * rescue (they ask users not to block); this follows the JDK's own answer for its fork-join carriers,
 * compensation, in the only form a fixed carrier allows: moving the others away.
 */
final class CarrierWatchdog {

    private static final System.Logger LOG = System.getLogger(CarrierWatchdog.class.getName());
    /** Stalls seen in this process, over all carriers. */
    private static final LongAdder STALLS = new LongAdder();

    private final List<Carrier> carriers;
    private final long stallNanos;
    private final long tickNanos;
    /** Per carrier: the busySince of the task it was handed off for, so one stall counts once. */
    private final long[] handedFor;
    /** When the last look ran; and since when the looks have come on time (see {@link #look}). */
    private long lastLook;
    private long onTimeSince;

    CarrierWatchdog(List<Carrier> carriers, Duration stallTimeout) {
        this.carriers = List.copyOf(carriers);
        this.stallNanos = stallTimeout.toNanos();
        this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), stallNanos / 5);
        this.handedFor = new long[carriers.size()];
    }

    /** {@code -Dweft.carrier.stallTimeout} (milliseconds, at least 1), default 50 ms. */
    static Duration stallTimeout() {
        String value = System.getProperty("weft.carrier.stallTimeout", "50");
        try {
            long millis = Long.parseLong(value.trim());
            if (millis >= 1) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("-Dweft.carrier.stallTimeout=" + value
                + " is not a time in milliseconds of at least 1");
    }

    /** Starts the watchdog's daemon thread, {@code weft-carrier-watchdog}. */
    CarrierWatchdog start() {
        Thread.ofPlatform().daemon().name("weft-carrier-watchdog").start(this::run);
        return this;
    }

    /** Stalls seen in this process so far. */
    static long stalls() {
        return STALLS.sum();
    }

    private void run() {
        for (;;) {
            LockSupport.parkNanos(tickNanos);
            look(System.nanoTime());
        }
    }

    /**
     * One look at every carrier at {@code now}; returns how many it handed off. A look that comes
     * late (by more than half the stall timeout) means this thread was stopped too: a collector's
     * pause or another safepoint stops every carrier with it, and a task that was running when the
     * pause began would look stuck for the pause's length. So time before a late look does not
     * count: a task is stuck once it has run for the stall timeout of time the looks saw.
     */
    int look(long now) {
        if (lastLook != 0 && now - lastLook > tickNanos + stallNanos / 2) {
            onTimeSince = now;
        }
        lastLook = now;
        int handed = 0;
        for (int i = 0; i < carriers.size(); i++) {
            Carrier c = carriers.get(i);
            c.callHome(); // a poller moved away by an earlier hand-off, waiting to come back
            long since = c.busySince();
            long counted = onTimeSince != 0 && onTimeSince - since > 0 ? onTimeSince : since; // nanoTime order
            if (since == 0 || now - counted < stallNanos || c.state() != Carrier.AWAKE) {
                continue;
            }
            if (c.lifecycle() == Carrier.HANDED_OFF) {
                c.handOffAgain(); // a submitter that read RUNNING just before the hand-off: its task moves too
                continue;
            }
            if (!c.hasQueued() || since == handedFor[i] || !c.handOff()) {
                continue;
            }
            handedFor[i] = since;
            handed++;
            STALLS.increment();
            long stuckMillis = TimeUnit.NANOSECONDS.toMillis(now - since);
            BackgroundThreads.builder().name("weft-carrier-watchdog-log").start(() -> LOG.log(Level.WARNING, c
                    + " has run one task for " + stuckMillis + " ms (a virtual thread pinned in a blocking call, or a"
                    + " long computation): its queued threads moved to the JDK's scheduler until it returns"));
        }
        return handed;
    }
}
