package dev.weft.client;

import dev.weft.dns.Resolver;
import dev.weft.tcp.OutboundSocket;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.function.LongSupplier;
import org.apache.commons.pool2.KeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectState;
import org.apache.commons.pool2.impl.DefaultPooledObject;

/**
 * Makes, checks and destroys pooled connections for commons-pool2.
 *
 * <p>Where each callback runs, in {@code GenericKeyedObjectPool} 2.13.0: {@code makeObject} on the
 * borrowing thread with no pool lock held (it resolves and connects: blocking is fine there);
 * {@code validateObject} on the borrower (no lock) and on the evictor's platform thread (under
 * {@code evictionLock}); {@code destroyObject} sometimes inside {@code synchronized (pooledObject)}
 * ({@code invalidateObject}), where a virtual thread pins its carrier on JDK 21-23. So validation
 * and destruction never block: a non-blocking one-byte read, and a close without linger.
 *
 * <p>A borrow on behalf of an HTTP exchange with a deadline ({@link ConnectionPool#acquire(Endpoint,
 * Deadline)}) leaves the deadline in {@link #DEADLINE} for the borrowing thread, which is the thread
 * that runs {@code makeObject}: the lookup, each connect and the TLS handshake then wait at most
 * what is left of it.
 */
final class ConnectionFactory implements KeyedPooledObjectFactory<Endpoint, PooledConnection> {

    private final Resolver resolver;
    private final PoolOptions options;
    private final PoolMetrics metrics;
    private final WriteWatchdog watchdog;
    /** TLS for every connection, or null for plain TCP. */
    private final ClientTls tls;
    /** The deadline of the borrow running on this thread, or null: read by {@link #makeObject}. */
    static final ThreadLocal<Deadline> DEADLINE = new ThreadLocal<>();
    /** Set when the pool closes: what is destroyed from then on is counted as {@code closed}. */
    volatile boolean closing;
    /** What the connections' ages and idle times are read from ({@link System#nanoTime()} but in tests). */
    private final LongSupplier nanoClock;

    ConnectionFactory(Resolver resolver, PoolOptions options, PoolMetrics metrics, WriteWatchdog watchdog, ClientTls tls,
            LongSupplier nanoClock) {
        this.tls = tls;
        this.nanoClock = nanoClock;
        this.resolver = resolver;
        this.options = options;
        this.metrics = metrics;
        this.watchdog = watchdog;
    }

    @Override
    public PooledObject<PooledConnection> makeObject(Endpoint endpoint) throws IOException {
        Deadline deadline = DEADLINE.get();
        PooledConnection c = tls == null ? plain(endpoint, deadline) : secure(endpoint, deadline);
        metrics.created(endpoint);
        c.readTimeout((int) Math.min(Integer.MAX_VALUE, options.readTimeout().toMillis()));
        watchdog.watch(c);
        return new DefaultPooledObject<>(c);
    }

    /** Plain TCP: on the borrower's carrier where it runs on one ({@link Endpoint#open}). */
    private PooledConnection plain(Endpoint endpoint, Deadline deadline) throws IOException {
        OutboundSocket socket = endpoint.open(resolver, options.connectTimeout(), deadline);
        try {
            return new PooledConnection(endpoint, socket, null, watchdog, nanoClock);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** TLS needs a JDK socket to layer on: a channel, and the handshake within the connect timeout. */
    private PooledConnection secure(Endpoint endpoint, Deadline deadline) throws IOException {
        SocketChannel channel = endpoint.connect(resolver, options.connectTimeout(), deadline);
        try {
            timeHandshake(channel.socket(), endpoint, deadline);
            Socket socket = tls.handshake(channel.socket(), endpoint);
            socket.setSoTimeout(0); // reads are timed by the pool's watchdog, not a timer per read
            return new PooledConnection(endpoint, OutboundSocket.of(channel), socket, watchdog, nanoClock);
        } catch (SocketTimeoutException e) {
            channel.close();
            throw deadline != null && deadline.passed()
                    ? new DeadlineExceededException(HttpClientException.Phase.CONNECT, "TLS handshake with " + endpoint
                            + " cut off at the deadline") : e;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Bounds the TLS handshake by the connect timeout, or what is left of the deadline if less. */
    private void timeHandshake(Socket socket, Endpoint endpoint, Deadline deadline) throws IOException {
        if (deadline != null && deadline.passed()) {
            throw new DeadlineExceededException(HttpClientException.Phase.CONNECT, "no time left for the TLS handshake with "
                    + endpoint);
        }
        socket.setSoTimeout(deadline == null ? (int) options.connectTimeout().toMillis()
                : deadline.capMillis(options.connectTimeout()));
    }

    @Override
    public void destroyObject(Endpoint endpoint, PooledObject<PooledConnection> p) {
        PooledConnection c = p.getObject();
        c.close();
        watchdog.forget(c);
        PooledConnection.DestroyReason reason = c.destroyReason;
        if (reason == null) {
            reason = closing ? PooledConnection.DestroyReason.CLOSED : PooledConnection.DestroyReason.EVICTED;
        }
        metrics.destroyed(endpoint, reason);
    }

    @Override
    public boolean validateObject(Endpoint endpoint, PooledObject<PooledConnection> p) {
        return usable(p.getObject());
    }

    /** Whether {@code c} may be lent again; if not, its destroyReason says why. */
    boolean usable(PooledConnection c) {
        if (c.ageNanos() > options.maxLifetime().toNanos()) {
            c.destroyReason = PooledConnection.DestroyReason.EXPIRED;
            return false;
        }
        // A connection that never waited idle was just made for the borrower: nothing can be stale
        // yet, and a server that resets or speaks at once is the borrower's to find (a refusal
        // reported as an exhausted pool would mislead). One idle for less than validateAfterIdle is
        // not probed either (see PoolOptions).
        if (c.wasIdle() && c.idleNanos() >= options.validateAfterIdle().toNanos() && c.staleness() != null) {
            c.destroyReason = PooledConnection.DestroyReason.STALE;
            return false;
        }
        return true;
    }

    @Override
    public void activateObject(Endpoint endpoint, PooledObject<PooledConnection> p) {
        // Nothing: a connection is ready as it is.
    }

    /**
     * Returned, or made ahead of need (prewarm): it waits idle from now. The evictor passivates too,
     * after checking one that was idle already: that is no new start, or every pass would make a
     * connection idle for minutes look just returned, and a borrow within {@code validateAfterIdle}
     * of the pass would lend it without a probe.
     */
    @Override
    public void passivateObject(Endpoint endpoint, PooledObject<PooledConnection> p) {
        PooledObjectState state = p.getState();
        PooledConnection c = p.getObject();
        if (c.fromHot) {
            c.fromHot = false; // idle since it went hot: its time runs on
        } else if (state != PooledObjectState.EVICTION && state != PooledObjectState.EVICTION_RETURN_TO_HEAD) {
            c.idle();
        }
    }
}
