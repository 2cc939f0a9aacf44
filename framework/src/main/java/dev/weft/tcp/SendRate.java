package dev.weft.tcp;

import java.time.Duration;

/**
 * The minimum send rate of one connection ({@link Connection#minSendRate}): a budget of time the
 * server may spend blocked in socket writes, waiting for the peer to make room.
 *
 * <p>Each byte handed to the socket earns {@code 1 / bytesPerSecond} seconds of waiting, credited
 * when its write begins, so no write is cut for its own size. Time blocked in a write spends the
 * budget. What a peer saves by taking bytes faster carries over to later writes, but never more than
 * {@code grace}, which is also what the connection starts with. A write still blocked when its budget
 * is spent is late, and the watchdog closes the connection ({@link CloseCause#SLOW_READER}). Put as
 * an average: over all the time the server waited on it since the grace began, the peer took bytes
 * at {@code bytesPerSecond} or faster, having fallen behind by at most {@code grace}.
 *
 * <p>Only waiting counts. Time between writes, while the handler computes its next bytes or a stream
 * of events is quiet, costs nothing: a handler may write as slowly as it likes to a peer that keeps
 * up. The carry-over is capped so that a fast start, or a kernel buffer that swallowed megabytes at
 * once (about 2 MB per socket on Linux loopback), cannot buy a slow reader minutes later on.
 *
 * <p>The socket tells how many bytes it took only when a whole write returns, so writes go down in
 * pieces of {@link #piece()} bytes; a peer that stops keeping up is cut after at most {@code grace}
 * plus one piece's worth of time at the minimum rate (37 s for 256 bytes/s and a 5 s grace). The
 * kernel hands buffer space back in batches (a write blocked on a full buffer wakes when about a
 * third of it has drained), so a peer only a few times faster than the minimum, behind a large
 * buffer, can still be cut: the minimum is meant to sit far below any real network's speed.
 *
 * <p>Thread-safety: {@link #writing} and {@link #wrote} come from one writer at a time (the
 * connection's stream is not for concurrent writers); the watchdog calls {@link #isLate} from its
 * own thread and reads only the volatile deadline.
 */
final class SendRate {

    /** The smallest piece a write is split into: enough that the split costs little. */
    static final int MIN_PIECE = 8 * 1024;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Bounds any deadline to well within the range where {@code now - deadline} compares correctly. */
    private static final long MAX_GRACE_NANOS = Long.MAX_VALUE / 4;

    private final long bytesPerSecond;
    private final long graceNanos;
    private final int piece;
    /** Waiting time left over from earlier writes, at most {@link #graceNanos}; negative while behind. */
    private long slackNanos;
    /** When the write in progress runs out of budget, or {@link TcpConnection#IDLE} between writes. */
    private volatile long deadline = TcpConnection.IDLE;

    SendRate(long bytesPerSecond, Duration grace) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be positive, was " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.graceNanos = Math.min(TcpConnection.nanos(grace), MAX_GRACE_NANOS);
        this.slackNanos = graceNanos;
        double perGrace = bytesPerSecond * (graceNanos / (double) NANOS_PER_SECOND);
        this.piece = (int) Math.max(MIN_PIECE, Math.min(TcpConnection.WRITE_CHUNK, perGrace));
    }

    /**
     * The most bytes one socket write may carry: one grace period's worth at the minimum rate, kept
     * between {@value #MIN_PIECE} and {@link TcpConnection#WRITE_CHUNK}.
     */
    int piece() {
        return piece;
    }

    /** A socket write of {@code bytes} (at most {@link #piece()}) begins at {@code now}. */
    void writing(int bytes, long now) {
        long allowance = Math.min(slackNanos, graceNanos) + bytes * NANOS_PER_SECOND / bytesPerSecond;
        long d = now + allowance;
        deadline = d == TcpConnection.IDLE ? d + 1 : d;
    }

    /** The write begun by {@link #writing} returned at {@code now}: what is left of its budget carries over. */
    void wrote(long now) {
        long d = deadline;
        if (d != TcpConnection.IDLE) {
            slackNanos = d - now;
            deadline = TcpConnection.IDLE;
        }
    }

    /** The write failed: nothing is in progress any more. */
    void stopped() {
        deadline = TcpConnection.IDLE;
    }

    /** Whether a write is in progress whose budget ran out before {@code now}. */
    boolean isLate(long now) {
        long d = deadline;
        return d != TcpConnection.IDLE && now - d > 0;
    }

    @Override
    public String toString() {
        return bytesPerSecond + " bytes/s after a " + Duration.ofNanos(graceNanos) + " grace";
    }
}
