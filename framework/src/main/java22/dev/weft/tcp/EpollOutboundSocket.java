package dev.weft.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;

/**
 * An {@link OutboundSocket} on the poller of the carrier its opener runs on (issue #18, step 8), so
 * the server's answer wakes the reader on the OS thread that polls for it, as an accepted
 * connection's bytes do. Found by {@link Transports} by name, like the rest of the epoll transport.
 */
final class EpollOutboundSocket implements OutboundSocket {

    private final EpollSocket socket;
    private final InputStream in;
    private final OutputStream out;

    private EpollOutboundSocket(EpollSocket socket) {
        this.socket = socket;
        this.in = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return socket.read(b, off, len);
            }

            @Override
            public int available() throws IOException {
                return socket.available();
            }

            @Override
            public void close() {
                socket.close();
            }
        };
        this.out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                socket.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                socket.write(b, off, len);
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }

    /**
     * Connects on the calling thread's carrier by {@code deadline} ({@link System#nanoTime()}), or
     * returns null if the caller runs on none (then the JDK's socket serves).
     */
    static OutboundSocket connectOnCarrier(InetSocketAddress address, long deadline) throws IOException {
        EpollPoller poller = EpollPoller.ofCurrentCarrier();
        if (poller == null) {
            return null;
        }
        return new EpollOutboundSocket(EpollSocket.connect(address, deadline, poller));
    }

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public int readNow(byte[] b, int off, int len) throws IOException {
        return socket.readNow(b, off, len);
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        socket.setOption(option, value);
    }

    @Override
    public boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return socket.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    @Override
    public int affinity() {
        return socket.poller.index();
    }

    /** The index of the carrier the calling thread runs on, or -1 (see {@link OutboundSocket#currentAffinity()}). */
    static int currentAffinity() {
        EpollPoller poller = EpollPoller.ofCurrentCarrier();
        return poller == null ? -1 : poller.index();
    }

    @Override
    public Transport transport() {
        return Transport.EPOLL;
    }

    @Override
    public void reset() {
        try {
            socket.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException ignored) {
            // closed already: the close below does nothing
        }
        socket.close();
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "outbound " + localAddress() + " -> " + remoteAddress() + " (epoll)";
    }
}
