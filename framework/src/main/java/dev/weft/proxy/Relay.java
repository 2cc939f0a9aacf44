package dev.weft.proxy;

import dev.weft.tcp.Connection;
import dev.weft.tcp.OutboundSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies bytes both ways between a client connection and an upstream socket until both sides have
 * finished: "a proxy is two loops copying bytes". Client to upstream runs on the connection's
 * thread, upstream to client on a virtual thread of its own (the connection is read by one thread
 * and written by the other). An end of stream on one side is passed on as a half-close (FIN) to the
 * other, and the other direction goes on; the relay ends when both directions have ended.
 *
 * <p>A failure on either side ends the relay at once: both sockets are reset (RST), so neither
 * peer mistakes a broken relay for a finished one. So is a client connection the server closed at
 * the end of its drain timeout: its reads then end as if the client had finished, and a FIN would
 * pass a cut-off upload on as complete. The proxy's idle sweeper ends relays where nothing moved
 * for the idle timeout ({@link #expireIfIdle}), with a plain close.
 */
final class Relay {

    /** How a relay ended; the first abnormal end wins. */
    enum Outcome { RELAYED, IDLE, CLIENT_ERROR, UPSTREAM_ERROR, SHUTDOWN }

    private static final System.Logger LOG = System.getLogger(Relay.class.getName());
    /** Where each direction's buffer starts: enough for a chatty protocol, small for many idle tunnels. */
    private static final int BUFFER = 16 * 1024;
    /**
     * What a direction grows to once a read has filled its buffer (a bulk transfer): a quarter of
     * the system calls per MiB (measured: 59 reads and 59 writes per MiB at 16 KiB), as Squid's
     * 64 KiB reads; a tunnel that only trickles never pays for it.
     */
    private static final int BULK_BUFFER = 64 * 1024;

    /** The far end of a relay: an upstream socket, or a pooled connection after a protocol switch. */
    interface Far {
        InputStream in() throws IOException;

        OutputStream out() throws IOException;

        void shutdownOutput() throws IOException;

        /** Closes it, with a reset (RST) if {@code reset}; never throws. */
        void close(boolean reset);

        /** An outbound socket as the far end. */
        static Far of(OutboundSocket socket) {
            return new Far() {
                @Override
                public InputStream in() {
                    return socket.in();
                }

                @Override
                public OutputStream out() {
                    return socket.out();
                }

                @Override
                public void shutdownOutput() throws IOException {
                    socket.shutdownOutput();
                }

                @Override
                public void close(boolean reset) {
                    if (reset) {
                        socket.reset();
                    } else {
                        socket.close();
                    }
                }

                @Override
                public String toString() {
                    return String.valueOf(socket.remoteAddress());
                }
            };
        }
    }

    private final Connection client;
    private final InputStream clientIn;
    private final Far upstream;
    private final AtomicReference<Outcome> ended = new AtomicReference<>();
    private volatile long lastActivity = System.nanoTime();
    private long sent;
    private long received; // written by the downstream thread, read after joining it

    Relay(Connection client, OutboundSocket upstream) {
        this(client, client.in(), Far.of(upstream));
    }

    /** A relay whose client bytes come from {@code clientIn} (an upgraded HTTP connection has some buffered). */
    Relay(Connection client, InputStream clientIn, Far upstream) {
        this.client = client;
        this.clientIn = clientIn;
        this.upstream = upstream;
    }

    /** Relays until both directions have ended, and says how it ended. */
    Outcome run() throws InterruptedException {
        // A graceful close of the proxy must not cut an upload short: the whole relay is one message.
        client.midMessage(true);
        // The proxy's sweeper keeps the idle time across both directions; a read of one direction
        // alone may wait as long as the other moves (a download, with the client silent).
        client.readTimeout(Duration.ofDays(365));
        InputStream fromUpstream;
        OutputStream toUpstream;
        try {
            fromUpstream = upstream.in();
            toUpstream = upstream.out();
        } catch (IOException e) {
            abort(Outcome.UPSTREAM_ERROR, e);
            return Outcome.UPSTREAM_ERROR;
        }
        // A plain builder on purpose: the thread inherits the connection's scheduler, so on the epoll
        // transport's carriers both directions of the relay share the connection's carrier.
        Thread down = Thread.ofVirtual().name(Thread.currentThread().getName() + "-upstream")
                .start(() -> downstream(fromUpstream));
        try {
            sent = pump(clientIn, toUpstream, Outcome.CLIENT_ERROR, Outcome.UPSTREAM_ERROR);
            if (ended.get() == null) {
                if (client.isClosed()) {
                    abort(Outcome.SHUTDOWN, null);
                } else {
                    upstream.shutdownOutput();
                }
            }
        } catch (IOException e) {
            abort(Outcome.UPSTREAM_ERROR, e);
        }
        down.join();
        Outcome outcome = ended.get();
        return outcome == null ? Outcome.RELAYED : outcome;
    }

    /** Bytes from the client to the upstream; valid once {@link #run()} has returned. */
    long sent() {
        return sent;
    }

    /** Bytes from the upstream to the client; valid once {@link #run()} has returned. */
    long received() {
        return received;
    }

    /** Ends the relay if nothing moved either way since {@code now - idleNanos}. */
    void expireIfIdle(long now, long idleNanos) {
        if (now - lastActivity >= idleNanos) {
            abort(Outcome.IDLE, null);
        }
    }

    private void downstream(InputStream fromUpstream) {
        try {
            received = pump(fromUpstream, client.out(), Outcome.UPSTREAM_ERROR, Outcome.CLIENT_ERROR);
            if (ended.get() == null) {
                client.shutdownOutput();
            }
        } catch (IOException e) {
            abort(Outcome.CLIENT_ERROR, e);
        }
    }

    /** Copies until end of stream or a failure (which aborts the relay); returns the bytes copied. */
    private long pump(InputStream in, OutputStream out, Outcome readFails, Outcome writeFails) {
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        for (;;) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                abort(readFails, e);
                return total;
            }
            if (n < 0) {
                return total;
            }
            lastActivity = System.nanoTime();
            try {
                out.write(buffer, 0, n);
            } catch (IOException e) {
                abort(writeFails, e);
                return total;
            }
            total += n;
            lastActivity = System.nanoTime();
            if (n == buffer.length && buffer.length < BULK_BUFFER) {
                buffer = new byte[BULK_BUFFER];
            }
        }
    }

    /** Ends the relay (the first call decides the outcome): resets both sides, or closes them if idle. */
    private void abort(Outcome outcome, IOException cause) {
        if (!ended.compareAndSet(null, outcome)) {
            return;
        }
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "conn " + client.id() + " " + client.remoteAddress() + " -> " + upstream
                    + ": relay ended, " + outcome.name().toLowerCase() + (cause == null ? "" : ": " + cause.getMessage()));
        }
        boolean reset = outcome != Outcome.IDLE;
        try {
            if (reset) {
                client.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // already closed, or a transport without the option: a plain close then
        }
        client.close();
        upstream.close(reset);
    }
}
