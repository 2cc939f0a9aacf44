package dev.weft.bench.load;

import dev.weft.bench.Loopback;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The far end of the tunnel uploads: accepts connections on 127.0.0.1 and an ephemeral port, reads
 * exactly {@code bytes} from each and throws them away, then answers with the count it read (8
 * bytes, big-endian) and closes. A connection that ends sooner is closed without an answer. One
 * platform thread and one direct buffer per connection, blocking reads: the sink should cost as
 * little CPU as it can, since it shares the cores with the proxy under test. {@link #close()}
 * closes the listener and every connection still open.
 */
public final class TunnelSink implements AutoCloseable {

    /** The size of each read: large, so that the sink makes few system calls. */
    static final int BUFFER = 256 * 1024;

    private final long bytes;
    private final ServerSocketChannel listener;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();

    /** Starts a sink that expects {@code bytes} on each connection. */
    public TunnelSink(long bytes) throws IOException {
        if (bytes < 1) {
            throw new IllegalArgumentException("a sink expects at least one byte, was " + bytes);
        }
        this.bytes = bytes;
        this.listener = ServerSocketChannel.open().bind(new InetSocketAddress(Loopback.address(), 0), 64);
        Thread.ofPlatform().daemon().name("sink-accept").start(this::accept);
    }

    /** The port it listens on, on 127.0.0.1. */
    public int port() {
        return ((InetSocketAddress) listener.socket().getLocalSocketAddress()).getPort();
    }

    private void accept() {
        try {
            while (true) {
                SocketChannel c = listener.accept();
                open.add(c);
                Thread.ofPlatform().daemon().name("sink").start(() -> drain(c));
            }
        } catch (IOException closed) {
            // The listener was closed: the sink is done.
        }
    }

    private void drain(SocketChannel c) {
        try (c) {
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            long read = 0;
            while (read < bytes) {
                buf.clear().limit((int) Math.min(BUFFER, bytes - read));
                int n = c.read(buf);
                if (n < 0) {
                    return; // ended early: no answer
                }
                read += n;
            }
            ByteBuffer ack = ByteBuffer.allocate(Long.BYTES).putLong(0, read);
            while (ack.hasRemaining()) {
                c.write(ack);
            }
        } catch (IOException e) {
            // The client or the proxy went away; the client counts its upload as failed.
        } finally {
            open.remove(c);
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing is best effort.
        }
        for (SocketChannel c : open) {
            try {
                c.close();
            } catch (IOException ignored) {
                // Already gone.
            }
        }
    }
}
