package dev.weft.bench.load;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The measured phase: every connection, on its own virtual thread, does checked round trips (see
 * {@link Exchange}) until the deadline. Latencies go into one HdrHistogram {@link Recorder}
 * (wait-free for the writers).
 *
 * <p><b>Closed loop</b> ({@code rate == 0}): the next message goes as soon as the reply came; the
 * latency is the round trip. <b>Open loop</b>: connection {@code i} has a schedule, one message
 * every {@code connections / rate} seconds from a random phase; a message is never sent before its
 * time, and its latency is measured <em>from its scheduled time</em>, so a stall that delays later
 * sends shows up in their latencies (no coordinated omission), as in wrk2.
 *
 * <p>A warm-up runs first, unrecorded, so that neither side's JIT nor the first wake-up of every
 * idle connection counts. A connection that gets a wrong or short reply, an I/O error or no reply within the reply
 * timeout counts one error and stops. Replies later than {@link #SLOW_NANOS} are counted as
 * timeouts the way wrk counts them (and still recorded). Used once, from one thread.
 */
final class LoadPhase {

    /** Round trips longer than this are recorded as this (the histogram's range). */
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** wrk's default timeout: a reply later than this is what wrk reports as a timeout. */
    static final long SLOW_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** After the reply timeout has had its chance, connections still busy are closed. */
    private static final long EXTRA_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final LoadOptions options;
    private final Recorder latencies = new Recorder(MAX_NANOS, 3);
    private final LongAdder errors = new LongAdder();
    private final LongAdder slow = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    LoadPhase(LoadOptions options) {
        this.options = options;
    }

    /**
     * Runs the phase on {@code sockets}: the warm-up, unrecorded, then the measured time; calls
     * {@code measuring} when the measured time begins. Returns what it measured.
     */
    LoadResult run(List<Socket> sockets, int connectErrors, Runnable measuring) throws InterruptedException {
        long start = System.nanoTime();
        long recordFrom = start + options.warmup().toNanos();
        long deadline = recordFrom + options.duration().toNanos();
        long interval = options.openLoop()
                ? Math.max(1, (long) (1e9 * sockets.size() / options.rate())) : 0;
        List<Thread> threads = new ArrayList<>(sockets.size());
        for (int i = 0; i < sockets.size(); i++) {
            int conn = i;
            Socket socket = sockets.get(i);
            long first = interval == 0 ? start : start + ThreadLocalRandom.current().nextLong(interval);
            threads.add(Thread.ofVirtual().name("load-" + i)
                    .start(() -> exchange(conn, socket, first, interval, recordFrom, deadline)));
        }
        while (System.nanoTime() < recordFrom) {
            LockSupport.parkNanos(recordFrom - System.nanoTime());
        }
        measuring.run();
        long hardDeadline = deadline + options.replyTimeout().toNanos() + EXTRA_GRACE_NANOS;
        if (!joinAll(threads, hardDeadline)) {
            sockets.forEach(ConnectionRamp::closeQuietly); // unblocks whatever is left; each counts an error
            joinAll(threads, System.nanoTime() + EXTRA_GRACE_NANOS);
        }
        double seconds = options.duration().toNanos() / 1e9; // what was recorded: sends from recordFrom to deadline
        Histogram h = latencies.getIntervalHistogram();
        String first = firstError.get();
        return new LoadResult(options.protocol().name().toLowerCase(java.util.Locale.ROOT), options.rate(),
                sockets.size(), connectErrors, errors.sum(), slow.sum(), h.getTotalCount(), seconds,
                h.getTotalCount() / seconds, micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(99)),
                micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue()), first == null ? "" : first);
    }

    /**
     * Round trips on one connection until the deadline: back to back when {@code interval} is 0,
     * else at {@code first}, {@code first + interval}, ... (late ones go at once, one at a time).
     * Only those sent (or due) from {@code recordFrom} on are recorded.
     */
    private void exchange(int conn, Socket socket, long first, long interval, long recordFrom, long deadline) {
        long seq = 0;
        try {
            socket.setSoTimeout((int) options.replyTimeout().toMillis());
            Exchange exchange = Exchange.of(options, conn, socket);
            long due = first;
            while (due < deadline) {
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue; // re-check: parking may end early
                }
                long t0 = interval == 0 ? System.nanoTime() : due;
                exchange.roundTrip(seq);
                long latency = System.nanoTime() - t0;
                if (t0 - recordFrom >= 0) {
                    if (latency > SLOW_NANOS) {
                        slow.increment();
                    }
                    latencies.recordValue(Math.min(latency, MAX_NANOS));
                }
                seq++;
                due = interval == 0 ? System.nanoTime() : due + interval;
            }
        } catch (IOException e) {
            errors.increment();
            firstError.compareAndSet(null, "connection " + conn + ", message " + seq + ": " + e);
        }
    }

    private static boolean joinAll(List<Thread> threads, long deadline) throws InterruptedException {
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    private static double micros(long nanos) {
        return Math.round(nanos / 100.0) / 10.0;
    }
}
