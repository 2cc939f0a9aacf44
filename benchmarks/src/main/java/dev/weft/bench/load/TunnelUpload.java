package dev.weft.bench.load;

import dev.weft.bench.Loopback;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One upload to a {@link TunnelSink}: a new connection, through a proxy ({@code CONNECT
 * 127.0.0.1:SINK}, its {@code 200} read) or straight to the sink, then {@code bytes} written from
 * one direct buffer and the sink's 8-byte answer read and checked. Timed from the connect to the
 * answer. The whole upload is bounded: a watchdog closes the connection when it takes longer than
 * the timeout, which ends a blocked read or write at once.
 *
 * @param port     where to connect on 127.0.0.1: the proxy's port, or the sink's
 * @param sinkPort the sink's port, the {@code CONNECT} target; 0 to go straight to the sink
 * @param bytes    how much to upload
 * @param timeout  the longest one upload may take
 */
record TunnelUpload(int port, int sinkPort, long bytes, Duration timeout) {

    /** The size of each write. */
    static final int BUFFER = TunnelSink.BUFFER;
    private static final int MAX_HEAD = 4096;

    /** Whether it goes through a proxy's {@code CONNECT}. */
    boolean tunnelled() {
        return sinkPort != 0;
    }

    /** The upload failed: a refused {@code CONNECT}, a short answer, an I/O error or the timeout. */
    static final class Failed extends IOException {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }

        Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Uploads once, writing from {@code data} (a direct buffer of {@link #BUFFER} bytes, its
     * contents sent as they are), and returns how long it took in nanoseconds.
     *
     * @throws Failed if it did not complete, saying why
     */
    long run(ByteBuffer data, ScheduledExecutorService watchdog) throws Failed {
        long start = System.nanoTime();
        SocketChannel c;
        try {
            c = SocketChannel.open();
        } catch (IOException e) {
            throw new Failed("cannot open a socket: " + e.getMessage(), e);
        }
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> deadline = watchdog.schedule(() -> {
            late.set(true);
            closeQuietly(c);
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        try (c) {
            c.connect(new InetSocketAddress(Loopback.address(), port));
            if (tunnelled()) {
                connect(c);
            }
            long sent = 0;
            while (sent < bytes) {
                data.clear().limit((int) Math.min(BUFFER, bytes - sent));
                while (data.hasRemaining()) {
                    sent += c.write(data);
                }
            }
            ByteBuffer ack = ByteBuffer.allocate(Long.BYTES);
            while (ack.hasRemaining()) {
                if (c.read(ack) < 0) {
                    throw new Failed("the connection closed before the sink's answer (" + ack.position()
                            + " of 8 bytes)");
                }
            }
            long counted = ack.getLong(0);
            if (counted != bytes) {
                throw new Failed("the sink counted " + counted + " bytes of " + bytes);
            }
            return System.nanoTime() - start;
        } catch (IOException e) {
            if (late.get()) { // closed by the watchdog, in a read or write or between two
                throw new Failed("the upload took longer than " + timeout.toSeconds() + " s", e);
            }
            if (e instanceof Failed f) {
                throw f;
            }
            throw new Failed((tunnelled() ? "through the proxy: " : "") + e, e);
        } finally {
            deadline.cancel(false);
        }
    }

    /** Sends {@code CONNECT} and reads the proxy's answer, which must be a 2xx with nothing after its head. */
    private void connect(SocketChannel c) throws IOException {
        String authority = Loopback.address().getHostAddress() + ":" + sinkPort;
        c.write(ByteBuffer.wrap(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer head = ByteBuffer.allocate(MAX_HEAD);
        while (true) {
            if (c.read(head) < 0) {
                throw new Failed("the proxy closed the connection before answering CONNECT");
            }
            String text = new String(head.array(), 0, head.position(), StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) {
                String status = text.substring(0, text.indexOf("\r\n"));
                if (!status.matches("HTTP/1\\.[01] 2\\d\\d( .*)?")) {
                    throw new Failed("the proxy answered CONNECT with '" + status + "'");
                }
                if (end + 4 != head.position()) {
                    throw new Failed("bytes after the proxy's CONNECT answer, before anything was sent");
                }
                return;
            }
            if (!head.hasRemaining()) {
                throw new Failed("the proxy's CONNECT answer is longer than " + MAX_HEAD + " bytes");
            }
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Closing is best effort.
        }
    }
}
