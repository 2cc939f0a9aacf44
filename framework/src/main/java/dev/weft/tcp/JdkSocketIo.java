package dev.weft.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * {@link Transport#JDK}: a {@link Socket}, perhaps with a TLS socket layered over it. The JDK
 * reports a failure's error number only in its message: every call that can fail because of the
 * peer or the network turns such a failure into a {@link NetworkException} here, so the rest of the
 * server tells failures apart by type, as on {@link Transport#EPOLL}.
 */
final class JdkSocketIo implements SocketIo {

    /** The socket the streams use: the accepted one, or the TLS socket layered over it. */
    private final Socket socket;
    /** The accepted socket: shut down and closed directly, so a stuck TLS layer cannot block that. */
    private final Socket raw;
    private final InputStream in;
    private final OutputStream out;
    /** Whether SO_LINGER is on with a positive time: then it is turned off before the close. */
    private volatile boolean lingers;

    JdkSocketIo(Socket socket, Socket raw) throws IOException {
        this.socket = socket;
        this.raw = raw;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** The same connection with a server-mode TLS socket over it; the handshake runs later. */
    JdkSocketIo withTls(SSLContext tls) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
        ssl.setUseClientMode(false);
        JdkSocketIo io = new JdkSocketIo(ssl, raw);
        io.lingers = lingers;
        return io;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return in.read(b, off, len);
        } catch (IOException e) {
            throw NetworkException.translate(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw NetworkException.translate(e);
        }
    }

    @Override
    public int available() throws IOException {
        try {
            return in.available();
        } catch (IOException e) {
            throw NetworkException.translate(e);
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        // On Linux shutdown(SHUT_RD) wakes the parked reader, which then sees end-of-stream.
        raw.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        try {
            socket.shutdownOutput(); // with TLS this writes close_notify first
        } catch (IOException e) {
            throw NetworkException.translate(e);
        }
    }

    /**
     * Closes the accepted socket directly: no close_notify that could block on a full send buffer.
     * SO_LINGER with a positive time would make the JDK's close wait in {@code close(2)} until the
     * peer has acknowledged everything, holding the thread (a virtual thread's carrier, or the
     * watchdog); on Linux the kernel sends the rest in the background after the time either way, so
     * it is turned off first (see {@code EpollSocket.beforeClose}).
     */
    @Override
    public void close() throws IOException {
        if (lingers && !raw.isClosed()) {
            try {
                raw.setSoLinger(false, 0);
            } catch (IOException ignored) {
                // Closed meanwhile, or the peer is gone: nothing left to wait for either way.
            }
        }
        raw.close();
    }

    @Override
    public boolean isClosed() {
        return raw.isClosed();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) socket.getRemoteSocketAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        socket.setOption(option, value);
        if (option == StandardSocketOptions.SO_LINGER) {
            lingers = (Integer) value > 0;
        }
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return socket.getOption(option);
    }

    @Override
    public boolean isSecure() {
        return socket instanceof SSLSocket;
    }

    @Override
    public void handshake() throws IOException {
        if (!(socket instanceof SSLSocket ssl)) {
            throw new IllegalStateException("not a TLS socket");
        }
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            throw NetworkException.translate(e);
        }
    }
}
