package dev.weft.client;

import dev.weft.dns.Resolver;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where a pooled connection goes: a host name (resolved when a connection is made, through the
 * pool's {@link dev.weft.dns.Resolver}) and a port. Connections to one endpoint are interchangeable.
 *
 * @param host a host name or IP literal, as given (not resolved)
 * @param port 1..65535
 */
public record Endpoint(String host, int port) {

    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
    }

    /** Parses {@code host:port} or {@code [ipv6]:port}. */
    public static Endpoint parse(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostAndPort.length() - 1) {
            throw new IllegalArgumentException("expected host:port, was " + hostAndPort);
        }
        String host = hostAndPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new Endpoint(host, Integer.parseInt(hostAndPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected host:port, was " + hostAndPort, e);
        }
    }

    /**
     * Resolves the host and connects to its addresses in turn until one accepts, each within
     * {@code timeout}: a blocking channel with {@code TCP_NODELAY} on. Blocks the calling (virtual)
     * thread.
     *
     * @throws IOException naming this endpoint and its address count: a {@link SocketTimeoutException}
     *                     if the last address timed out, else a {@link ConnectException} (or the
     *                     resolver's {@link java.net.UnknownHostException})
     */
    public SocketChannel connect(Resolver resolver, Duration timeout) throws IOException {
        List<InetAddress> addresses = resolver.resolve(host);
        IOException last = null;
        for (InetAddress address : addresses) {
            SocketChannel channel = SocketChannel.open();
            try {
                channel.socket().setTcpNoDelay(true);
                channel.socket().connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
                return channel;
            } catch (IOException e) {
                channel.close();
                last = e;
            }
        }
        String where = this + " (" + addresses.size() + (addresses.size() == 1 ? " address" : " addresses") + ")";
        IOException e = last instanceof SocketTimeoutException
                ? new SocketTimeoutException("connect to " + where + " timed out after " + timeout)
                : new ConnectException("connect to " + where + " failed: " + (last == null ? "no address" : last.getMessage()));
        e.initCause(last);
        throw e;
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
