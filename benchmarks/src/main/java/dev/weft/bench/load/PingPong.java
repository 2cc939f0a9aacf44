package dev.weft.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The measured phase: every connection, on its own virtual thread, writes a payload, reads exactly
 * as many bytes back and compares them byte for byte, again and again until the deadline. Round
 * trips go into one HdrHistogram {@link Recorder} (wait-free for the writers). A connection that
 * gets a wrong or short reply, an I/O error or no reply within the reply timeout counts as one
 * echo error and stops. Used once, from one thread.
 */
final class PingPong {

    /** Round trips longer than this are recorded as this (the histogram's range). */
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** After the reply timeout has had its chance, connections still busy are closed. */
    private static final long EXTRA_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final LoadOptions options;
    private final Recorder latencies = new Recorder(MAX_NANOS, 3);
    private final LongAdder errors = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    PingPong(LoadOptions options) {
        this.options = options;
    }

    /** Runs the phase on {@code sockets} and returns what it measured. */
    LoadResult run(List<Socket> sockets, int connectErrors) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + options.duration().toNanos();
        List<Thread> threads = new ArrayList<>(sockets.size());
        for (int i = 0; i < sockets.size(); i++) {
            int conn = i;
            Socket socket = sockets.get(i);
            threads.add(Thread.ofVirtual().name("ping-" + i).start(() -> exchange(conn, socket, deadline)));
        }
        long hardDeadline = deadline + options.replyTimeout().toNanos() + EXTRA_GRACE_NANOS;
        if (!joinAll(threads, hardDeadline)) {
            sockets.forEach(ConnectionRamp::closeQuietly); // unblocks whatever is left; each counts an error
            joinAll(threads, System.nanoTime() + EXTRA_GRACE_NANOS);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Histogram h = latencies.getIntervalHistogram();
        String first = firstError.get();
        return new LoadResult(sockets.size(), connectErrors, errors.sum(), h.getTotalCount(), seconds,
                h.getTotalCount() / seconds, micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(99)),
                micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue()), first == null ? "" : first);
    }

    private void exchange(int conn, Socket socket, long deadline) {
        int size = options.payload();
        byte[] sent = new byte[size];
        byte[] received = new byte[size];
        long seq = 0;
        try {
            socket.setSoTimeout((int) options.replyTimeout().toMillis());
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (; System.nanoTime() < deadline; seq++) {
                Payloads.fill(sent, conn, seq);
                long t0 = System.nanoTime();
                out.write(sent);
                int n = in.readNBytes(received, 0, size);
                long rtt = System.nanoTime() - t0;
                if (n != size) {
                    fail(conn, seq, "reply ended after " + n + " of " + size + " bytes");
                    return;
                }
                if (!Arrays.equals(sent, received)) {
                    fail(conn, seq, "reply differs from the message at byte " + Arrays.mismatch(sent, received));
                    return;
                }
                latencies.recordValue(Math.min(rtt, MAX_NANOS));
            }
        } catch (IOException e) {
            fail(conn, seq, e.toString());
        }
    }

    private void fail(int conn, long seq, String what) {
        errors.increment();
        firstError.compareAndSet(null, "connection " + conn + ", message " + seq + ": " + what);
    }

    private static boolean joinAll(List<Thread> threads, long deadline) throws InterruptedException {
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    private static double micros(long nanos) {
        return Math.round(nanos / 100.0) / 10.0;
    }
}
