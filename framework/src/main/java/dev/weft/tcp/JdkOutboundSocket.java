package dev.weft.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** An {@link OutboundSocket} on a blocking JDK {@link SocketChannel}: its socket's streams. */
final class JdkOutboundSocket implements OutboundSocket {

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    JdkOutboundSocket(SocketChannel channel) {
        this.channel = channel;
        try {
            this.in = channel.socket().getInputStream();
            this.out = channel.socket().getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("the channel is not connected: " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    /** One read with the channel non-blocking for its length (nobody else reads meanwhile: see the interface). */
    @Override
    public int readNow(byte[] b, int off, int len) throws IOException {
        channel.configureBlocking(false);
        try {
            return channel.read(ByteBuffer.wrap(b, off, len));
        } finally {
            channel.configureBlocking(true);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.socket().shutdownOutput();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        channel.setOption(option, value);
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.socket().getRemoteSocketAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException closed) {
            return null;
        }
    }

    @Override
    public int affinity() {
        return -1;
    }

    @Override
    public Transport transport() {
        return Transport.JDK;
    }

    @Override
    public void reset() {
        try {
            channel.socket().setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closed already: the close below does nothing
        }
        close();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing to do about a socket that will not close.
        }
    }

    @Override
    public String toString() {
        return "outbound " + localAddress() + " -> " + remoteAddress();
    }
}
