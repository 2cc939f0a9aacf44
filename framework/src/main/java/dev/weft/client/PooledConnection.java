package dev.weft.client;

import dev.weft.tcp.OutboundSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.LongSupplier;

/**
 * One pooled TCP connection: an {@link OutboundSocket} (with a TLS socket layered on it, for
 * HTTPS), and when it was made. Reads honour the read timeout and writes the write timeout through the pool's
 * {@link WriteWatchdog}, which closes a connection whose current read has waited, or whose current
 * write has made no progress, for that long; the blocked call then fails with a
 * {@link java.net.SocketTimeoutException}. A lease may also set a {@linkplain #deadline deadline}
 * (the HTTP client's total timeout): no read or write goes on past it, and one that would fails
 * with a {@link DeadlineExceededException}. Not {@code SO_TIMEOUT}: on a virtual thread every timed
 * read schedules and cancels a timer task, which costs a wake-up of the JDK's timer thread per read
 * (seen as 0.77 context switches per proxied request). Writes go out in pieces of at most
 * {@value #WRITE_PIECE} bytes, so a large write is progress piece by piece.
 * Used by one thread at a time (the lease holder, or the pool's checks while it is idle).
 */
final class PooledConnection {

    /** Why a connection was destroyed: the {@code reason} tag of {@code weft.pool.connections.destroyed}. */
    enum DestroyReason {
        /** The lease holder saw an I/O error or marked it broken. */
        BROKEN,
        /** The stale check found it closed, reset or holding unexpected bytes. */
        STALE,
        /** Idle longer than {@code maxIdleTime}, or over {@code maxIdlePerEndpoint} on return. */
        EVICTED,
        /** Older than {@code maxLifetime}. */
        EXPIRED,
        /** The pool was closed or cleared. */
        CLOSED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Endpoint endpoint;
    private final OutboundSocket socket;
    /** The TLS socket layered on it that the streams go through, or null for plain TCP. */
    private final Socket tlsSocket;
    private final boolean tls;
    private final InputStream in;
    private final OutputStream out;
    /** Ages and idle times are read from it (the system's clock, or a test's); timeouts and deadlines are not. */
    private final LongSupplier nanoClock;
    private final long createdNanos;
    private final byte[] probe = new byte[1];
    volatile DestroyReason destroyReason;
    /** When the write in progress began (never 0 then), or 0 when none is. */
    private volatile long writeSince;
    private volatile boolean writeTimedOut;
    /** When the read in progress began (never 0 then), or 0 when none is; and how long one may wait. */
    private volatile long readSince;
    private volatile long readTimeoutNanos;
    private volatile boolean readTimedOut;
    /** The lease's deadline ({@link System#nanoTime()}, never 0 then), or 0; and whether it cut an I/O short. */
    private volatile long deadline;
    private volatile boolean deadlinePassed;
    private final WriteWatchdog watchdog;
    /** Whether it has waited idle in the pool (returned by a lease, or made ahead of need). */
    private volatile boolean wasIdle;
    /** Set while it moves from {@link HotConnections} to the keyed pool: it has been idle since it went hot. */
    volatile boolean fromHot;
    /** When it last went idle, for {@link #idleNanos()}. */
    private volatile long idleSince;

    static final int WRITE_PIECE = 64 * 1024;

    PooledConnection(Endpoint endpoint, OutboundSocket socket, Socket tlsSocket, WriteWatchdog watchdog,
            LongSupplier nanoClock) throws IOException {
        this.endpoint = endpoint;
        this.nanoClock = nanoClock;
        this.createdNanos = nanoClock.getAsLong();
        this.watchdog = watchdog;
        this.socket = socket;
        this.tlsSocket = tlsSocket;
        this.tls = tlsSocket != null;
        InputStream rawIn = tls ? tlsSocket.getInputStream() : socket.in();
        this.in = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                long now = System.nanoTime();
                checkDeadline(now, "read from ");
                readSince = now | 1;
                try {
                    return rawIn.read(b, off, len);
                } catch (IOException e) {
                    if (deadlinePassed) {
                        throw deadlineExceeded("read from ");
                    }
                    if (readTimedOut) {
                        throw new java.net.SocketTimeoutException("read from " + endpoint + " timed out after "
                                + java.time.Duration.ofNanos(readTimeoutNanos));
                    }
                    throw e;
                } finally {
                    readSince = 0;
                }
            }

            @Override
            public int available() throws IOException {
                return rawIn.available();
            }
        };
        OutputStream raw = tls ? tlsSocket.getOutputStream() : socket.out();
        this.out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int n = Math.min(len, WRITE_PIECE);
                    long now = System.nanoTime();
                    checkDeadline(now, "write to ");
                    writeSince = now | 1;
                    try {
                        raw.write(b, off, n);
                    } catch (IOException e) {
                        if (deadlinePassed) {
                            throw deadlineExceeded("write to ");
                        }
                        if (writeTimedOut) {
                            throw new WriteTimeoutException("write to " + endpoint + " timed out: the server stopped reading");
                        }
                        throw e;
                    } finally {
                        writeSince = 0;
                    }
                    off += n;
                    len -= n;
                }
            }
        };
    }

    /** It goes (back) to the idle connections: from now on the server may close it unseen. */
    void idle() {
        idleSince = nanoClock.getAsLong();
        wasIdle = true;
    }

    /** How long it has been idle since it last went back to the pool. */
    long idleNanos() {
        return nanoClock.getAsLong() - idleSince;
    }

    /**
     * Whether it waited idle in the pool before this lease, so a failure on it may be a stale
     * keep-alive; false for one made for the borrower. Kept on the connection itself, not inferred
     * from the pool's totals, which other borrowers change at the same time.
     */
    boolean wasIdle() {
        return wasIdle;
    }

    /**
     * Sets the deadline of the lease's exchange ({@link System#nanoTime()}, odd), or clears it (0):
     * from then on no read or write waits past it.
     */
    void deadline(long nanos) {
        deadline = nanos;
        deadlinePassed = false;
        if (nanos != 0) {
            watchdog.due(nanos); // the watchdog may plan to look later than that
        }
    }

    private void checkDeadline(long now, String what) throws DeadlineExceededException {
        long d = deadline;
        if (d != 0 && now - d >= 0) {
            throw deadlineExceeded(what);
        }
    }

    private DeadlineExceededException deadlineExceeded(String what) {
        return new DeadlineExceededException(null, what + endpoint + " cut off at the deadline");
    }

    /**
     * Called by the watchdog: closes the connection if its current write began before
     * {@code now - writeTimeoutNanos}, or its current read before {@code now} less its read timeout,
     * or either is still going at the deadline.
     *
     * @return when this connection next needs a look (the earliest of those moments still ahead,
     *     and the deadline), or 0 if it needs none
     */
    long expire(long now, long writeTimeoutNanos) {
        long d = deadline;
        long next = d != 0 && d - now > 0 ? d : 0;
        long since = writeSince;
        if (since != 0) {
            next = earlier(next, expire(now, since + writeTimeoutNanos, d, false));
        }
        since = readSince;
        if (since != 0) {
            next = earlier(next, expire(now, since + readTimeoutNanos, d, true));
        }
        return next;
    }

    /** Closes the connection if the I/O's timeout ({@code at}) or the deadline, whichever is first, has come; else returns it. */
    private long expire(long now, long at, long d, boolean read) {
        boolean byDeadline = d != 0 && d - at <= 0;
        long due = byDeadline ? d : at;
        if (now - due < 0) {
            return due;
        }
        if (byDeadline) {
            deadlinePassed = true;
        } else if (read) {
            readTimedOut = true;
        } else {
            writeTimedOut = true;
        }
        close();
        return 0;
    }

    /** The earlier of two moments, 0 meaning none. */
    private static long earlier(long a, long b) {
        if (a == 0 || b == 0) {
            return a == 0 ? b : a;
        }
        return b - a < 0 ? b : a;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    InputStream in() {
        return in;
    }

    OutputStream out() {
        return out;
    }

    InetSocketAddress localAddress() throws IOException {
        InetSocketAddress local = socket.localAddress();
        if (local == null) {
            throw new java.net.SocketException("Socket closed");
        }
        return local;
    }

    /** How long the next reads may wait (the pool's read timeout, unless the lease changed it). */
    void readTimeout(int millis) {
        readTimeoutNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Math.max(1, millis));
    }

    long ageNanos() {
        return nanoClock.getAsLong() - createdNanos;
    }

    /**
     * Checks an idle connection without a round trip: one non-blocking read of one byte. End of
     * stream means the server closed it, an exception that it was reset, a byte that the server
     * sent something nobody asked for; all three make it unusable.
     *
     * @return why it is stale, or {@code null} if it looks alive
     */
    String staleness() {
        if (!socket.isOpen()) {
            return "closed";
        }
        if (tls) {
            return null; // a raw read would take TLS records (session tickets, say) from under the TLS socket
        }
        try {
            int n = socket.readNow(probe, 0, 1);
            if (n < 0) {
                return "closed by the server";
            }
            if (n > 0) {
                return "unexpected data from the server";
            }
            return null;
        } catch (IOException e) {
            return "failed: " + e.getMessage();
        }
    }

    /** Whether its socket is still open (not closed by this side; the server may have closed its own). */
    boolean isOpen() {
        return socket.isOpen();
    }

    void shutdownOutput() throws IOException {
        if (tls) {
            tlsSocket.shutdownOutput();
        } else {
            socket.shutdownOutput();
        }
    }

    /** Closes with a reset: SO_LINGER 0, so the close sends RST and does not block. */
    void reset() {
        socket.reset();
    }

    /** Closes the socket: no linger, so this never blocks (it may run under the pool's locks). */
    void close() {
        socket.close();
    }

    /** The carrier whose poller its socket waits on, or -1 (a JDK socket): see {@link OutboundSocket#affinity()}. */
    int affinity() {
        return socket.affinity();
    }

    @Override
    public String toString() {
        InetSocketAddress local = socket.localAddress();
        return "pooled connection " + (local == null ? "closed" : String.valueOf(local)) + " -> " + endpoint;
    }
}
