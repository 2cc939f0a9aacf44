package dev.weft.tcp;

import java.net.InetAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of a {@link TcpServer}, immutable; change one with a {@code withX} copy.
 *
 * <table>
 * <caption>Limits and their defaults</caption>
 * <tr><th>setting</th><th>default</th><th>when reached</th><th>metric</th></tr>
 * <tr><td>{@code maxConnections}</td><td>{@value #DEFAULT_MAX_CONNECTIONS}</td>
 *     <td>stop accepting ({@link LimitMode#BACKPRESSURE}) or accept and close ({@link LimitMode#REJECT})</td>
 *     <td>{@code weft.tcp.connections.limit.waits}, {@code weft.tcp.connections.rejected}</td></tr>
 * <tr><td>{@code backlog}</td><td>{@value #DEFAULT_BACKLOG}</td>
 *     <td>the kernel drops or refuses further SYNs; Linux caps it at {@code net.core.somaxconn}
 *     (4096 on the reference machine)</td><td>{@code ListenOverflows} in {@code /proc/net/netstat}</td></tr>
 * <tr><td>{@code idleTimeout}</td><td>5 minutes</td><td>a read waiting this long fails, the connection
 *     closes</td><td>{@code closed{cause=read_timeout}}</td></tr>
 * <tr><td>{@code writeTimeout}</td><td>60 seconds</td><td>a write making no progress this long (the
 *     peer stopped reading) fails, the connection closes</td><td>{@code closed{cause=write_timeout}}</td></tr>
 * <tr><td>{@code drainTimeout}</td><td>30 seconds</td><td>on {@link TcpServer#close()}, connections still
 *     busy after this are closed</td><td>{@code closed{cause=shutdown}}</td></tr>
 * </table>
 *
 * <p>Accepted sockets get {@code TCP_NODELAY} by default (request/response protocols should not wait
 * for Nagle's algorithm); other options keep the kernel's defaults unless set. The listening socket
 * always uses {@code SO_REUSEADDR}, so a restarted server can bind while old connections sit in
 * TIME_WAIT.
 *
 * @param bindAddress   the local address to listen on, {@code null} for every interface
 * @param port          the port, 0 to let the kernel pick one (read it back with {@link TcpServer#port()})
 * @param backlog       the listen backlog requested from the kernel
 * @param maxConnections how many connections may be open at once
 * @param limitMode     what happens at {@code maxConnections}
 * @param idleTimeout   how long one read may wait for data
 * @param writeTimeout  how long a write may make no progress
 * @param drainTimeout  how long a graceful close waits for busy connections
 * @param socketOptions options applied to every accepted socket, in order
 */
public record ServerOptions(
        InetAddress bindAddress,
        int port,
        int backlog,
        int maxConnections,
        LimitMode limitMode,
        Duration idleTimeout,
        Duration writeTimeout,
        Duration drainTimeout,
        Map<SocketOption<?>, Object> socketOptions) {

    /** Enough for the C10K case; raise it with the process's open-file limit in mind. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /**
     * Linux's default {@code net.core.somaxconn} since 5.4 (and what Netty asks for there): a burst of
     * thousands of connects (a load balancer's pool, a client restarting) waits in the queue instead of
     * overflowing it, which costs each dropped connection a one-second SYN retransmit. The kernel caps it.
     */
    public static final int DEFAULT_BACKLOG = 4096;
    /** Long enough for interactive protocols, short enough that dead peers do not pile up. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** A peer that takes no bytes for a minute is not coming back. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);
    /** Graceful shutdown: long enough for in-flight exchanges, short enough for a deploy. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /** The defaults listed above, on every interface, on a port the kernel picks. */
    public static final ServerOptions DEFAULTS = new ServerOptions(
            null, 0, DEFAULT_BACKLOG, DEFAULT_MAX_CONNECTIONS, LimitMode.BACKPRESSURE,
            DEFAULT_IDLE_TIMEOUT, DEFAULT_WRITE_TIMEOUT, DEFAULT_DRAIN_TIMEOUT,
            Map.of(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE));

    /** Checks every field; the map is copied and kept in insertion order. */
    public ServerOptions {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be positive, was " + backlog);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive, was " + maxConnections);
        }
        Objects.requireNonNull(limitMode, "limitMode");
        requirePositive(idleTimeout, "idleTimeout");
        requirePositive(writeTimeout, "writeTimeout");
        requireNonNegative(drainTimeout, "drainTimeout");
        Objects.requireNonNull(socketOptions, "socketOptions");
        socketOptions.forEach((option, value) -> {
            if (!option.type().isInstance(value)) {
                throw new IllegalArgumentException(option.name() + " takes a " + option.type().getSimpleName()
                        + ", was " + value);
            }
        });
        socketOptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(socketOptions));
    }

    public ServerOptions withBindAddress(InetAddress address) {
        return new ServerOptions(address, port, backlog, maxConnections, limitMode, idleTimeout, writeTimeout,
                drainTimeout, socketOptions);
    }

    public ServerOptions withPort(int value) {
        return new ServerOptions(bindAddress, value, backlog, maxConnections, limitMode, idleTimeout, writeTimeout,
                drainTimeout, socketOptions);
    }

    public ServerOptions withBacklog(int value) {
        return new ServerOptions(bindAddress, port, value, maxConnections, limitMode, idleTimeout, writeTimeout,
                drainTimeout, socketOptions);
    }

    public ServerOptions withMaxConnections(int value) {
        return new ServerOptions(bindAddress, port, backlog, value, limitMode, idleTimeout, writeTimeout,
                drainTimeout, socketOptions);
    }

    public ServerOptions withLimitMode(LimitMode value) {
        return new ServerOptions(bindAddress, port, backlog, maxConnections, value, idleTimeout, writeTimeout,
                drainTimeout, socketOptions);
    }

    public ServerOptions withIdleTimeout(Duration value) {
        return new ServerOptions(bindAddress, port, backlog, maxConnections, limitMode, value, writeTimeout,
                drainTimeout, socketOptions);
    }

    public ServerOptions withWriteTimeout(Duration value) {
        return new ServerOptions(bindAddress, port, backlog, maxConnections, limitMode, idleTimeout, value,
                drainTimeout, socketOptions);
    }

    public ServerOptions withDrainTimeout(Duration value) {
        return new ServerOptions(bindAddress, port, backlog, maxConnections, limitMode, idleTimeout, writeTimeout,
                value, socketOptions);
    }

    /** A copy with {@code option} set (or replaced) on every accepted socket. */
    public <T> ServerOptions withSocketOption(SocketOption<T> option, T value) {
        Map<SocketOption<?>, Object> copy = new LinkedHashMap<>(socketOptions);
        copy.put(Objects.requireNonNull(option, "option"), Objects.requireNonNull(value, "value"));
        return new ServerOptions(bindAddress, port, backlog, maxConnections, limitMode, idleTimeout, writeTimeout,
                drainTimeout, copy);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    private static void requireNonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
    }
}
