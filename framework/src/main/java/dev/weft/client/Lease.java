package dev.weft.client;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * A connection lent by a {@link ConnectionPool}, for one thread, until {@link #close()}:
 *
 * <pre>{@code
 * try (Lease c = pool.acquire(endpoint)) {
 *     c.out().write(request);
 *     readResponse(c.in());
 * }   // back to the pool, or closed if it broke
 * }</pre>
 *
 * <p>An {@link IOException} from either stream marks the connection broken, as does
 * {@link #markBroken()} (call it when the protocol left it in an unknown state, say a response not
 * read to its end); a broken connection is closed on {@link #close()} instead of being reused.
 * Closing the streams does nothing: only the lease decides.
 *
 * <p>Close every lease. One dropped without {@code close()} is found after the garbage collector
 * has seen it unreachable: its connection is closed, {@code weft.pool.leases.abandoned} counts it
 * and a WARNING names the thread that took it ({@link LeaseTracker}).
 */
public final class Lease implements AutoCloseable {

    private final ConnectionPool pool;
    private final PooledConnection connection;
    private final boolean reused;
    private final InputStream in;
    private final OutputStream out;
    private final LeaseTracker.Tracked tracked;
    private boolean broken;
    private boolean closed;

    Lease(ConnectionPool pool, PooledConnection connection, boolean reused) {
        this.pool = pool;
        this.connection = connection;
        this.reused = reused;
        this.tracked = pool.leases().track(this, connection);
        this.in = new FilterInputStream(connection.in()) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (IOException e) {
                    throw broke(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (IOException e) {
                    throw broke(e);
                }
            }

            @Override
            public void close() {
            }
        };
        this.out = new FilterOutputStream(connection.out()) {
            @Override
            public void write(int b) throws IOException {
                try {
                    super.write(b);
                } catch (IOException e) {
                    throw broke(e);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    out.write(b, off, len);
                } catch (IOException e) {
                    throw broke(e);
                }
            }

            @Override
            public void close() {
            }
        };
    }

    /** Bytes from the server; a read waits at most the pool's read timeout. */
    public InputStream in() {
        return in;
    }

    /** Bytes to the server, unbuffered. */
    public OutputStream out() {
        return out;
    }

    public Endpoint endpoint() {
        return connection.endpoint();
    }

    /** Whether this connection served an earlier lease (a failure on it may be a stale keep-alive). */
    public boolean isReused() {
        return reused;
    }

    /** The local address, which tells connections apart (and shows reuse). */
    public InetSocketAddress localAddress() throws IOException {
        return connection.localAddress();
    }

    ConnectionPool pool() {
        return pool;
    }

    /** The pooled connection lent (the same object for every lease of it). */
    PooledConnection connection() {
        return connection;
    }

    /** Sets how long each following read may wait, until the connection goes back to the pool. */
    public void readTimeout(java.time.Duration timeout) throws IOException {
        connection.readTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    /** Stops every following read and write at {@code deadline} (an exchange's total timeout), until the connection goes back. */
    void deadline(Deadline deadline) {
        connection.deadline(deadline.nanos());
    }

    /** Sends FIN: no more bytes to the server (its replies can still be read); the connection is not reused. */
    public void shutdownOutput() throws IOException {
        broken = true;
        connection.shutdownOutput();
    }

    /** Closes the connection at once with a reset (RST), so the server does not take what it got for complete. */
    public void reset() {
        broken = true;
        connection.reset();
    }

    /** Marks the connection unusable: it is closed, not reused, when the lease closes. */
    public void markBroken() {
        broken = true;
    }

    public boolean isBroken() {
        return broken;
    }

    /** Returns the connection to the pool, or closes it if broken. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pool.leases().closed(tracked);
            pool.release(connection, broken);
        }
    }

    private IOException broke(IOException e) {
        broken = true;
        return e;
    }
}
