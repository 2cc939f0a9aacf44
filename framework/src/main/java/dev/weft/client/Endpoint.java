package dev.weft.client;

import dev.weft.dns.Resolver;
import dev.weft.tcp.OutboundSocket;
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
     * thread. {@link #open(Resolver, Duration)} gives a socket that is cheaper to wait on where the
     * caller runs on the epoll transport's carriers.
     *
     * @throws IOException naming this endpoint and its address count: a {@link SocketTimeoutException}
     *                     if the last address timed out, else a {@link ConnectException} (or the
     *                     resolver's {@link java.net.UnknownHostException})
     */
    public SocketChannel connect(Resolver resolver, Duration timeout) throws IOException {
        return connect(resolver, timeout, null);
    }

    /**
     * Like {@link #connect(Resolver, Duration)}, but with {@code deadline} (null: none) the lookup
     * and each connect wait at most what is left of it, and no address is tried once it has passed:
     * then a {@link DeadlineExceededException} says which step ran out.
     */
    SocketChannel connect(Resolver resolver, Duration timeout, Deadline deadline) throws IOException {
        return dial(resolver, timeout, deadline, (address, millis) -> {
            SocketChannel channel = SocketChannel.open();
            try {
                channel.socket().setTcpNoDelay(true);
                channel.socket().connect(address, millis);
                return channel;
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        });
    }

    /**
     * Like {@link #connect(Resolver, Duration)}, as an {@link OutboundSocket}: on the calling thread's
     * carrier where it runs on one (the server's answers then wake it with no thread hop), else a JDK
     * socket. Failures as there.
     */
    public OutboundSocket open(Resolver resolver, Duration timeout) throws IOException {
        return open(resolver, timeout, null);
    }

    /** {@link #open(Resolver, Duration)} within a deadline, as {@link #connect(Resolver, Duration, Deadline)}. */
    OutboundSocket open(Resolver resolver, Duration timeout, Deadline deadline) throws IOException {
        return dial(resolver, timeout, deadline, (address, millis) -> OutboundSocket.connect(address,
                Duration.ofMillis(millis)));
    }

    /** Connects one address within a time in milliseconds (at least 1). */
    private interface Dialer<T> {
        T connect(InetSocketAddress address, int millis) throws IOException;
    }

    private <T> T dial(Resolver resolver, Duration timeout, Deadline deadline, Dialer<T> dialer) throws IOException {
        List<InetAddress> addresses = deadline == null ? resolver.resolve(host) : Lookup.resolve(resolver, host, deadline);
        IOException last = null;
        for (InetAddress address : addresses) {
            if (deadline != null && deadline.passed()) {
                throw new DeadlineExceededException(HttpClientException.Phase.CONNECT, "connect to " + this
                        + " cut off at the deadline" + (last == null ? "" : " (last failure: " + last.getMessage() + ")"));
            }
            try {
                int millis = deadline == null ? (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()) : deadline.capMillis(timeout);
                return dialer.connect(new InetSocketAddress(address, port), Math.max(1, millis));
            } catch (IOException e) {
                last = e;
            }
        }
        String where = this + " (" + addresses.size() + (addresses.size() == 1 ? " address" : " addresses") + ")";
        IOException e;
        if (last instanceof SocketTimeoutException && deadline != null && deadline.passed()) {
            e = new DeadlineExceededException(HttpClientException.Phase.CONNECT, "connect to " + where
                    + " cut off at the deadline");
        } else if (last instanceof SocketTimeoutException) {
            e = new SocketTimeoutException("connect to " + where + " timed out after " + timeout);
        } else {
            e = new ConnectException("connect to " + where + " failed: " + (last == null ? "no address" : last.getMessage()));
        }
        e.initCause(last);
        throw e;
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
