package dev.weft.examples.lb;

import java.time.Duration;
import java.util.Objects;

/**
 * One {@code server ADDRESS [weight=N] [max_fails=N] [fail_timeout=TIME] [backup] [down]
 * [max_conns=N];} line of an {@code upstream} block. The host is kept as written: a name is
 * resolved by whoever connects (nginx resolves it once at startup and makes one server of each
 * address it finds).
 *
 * @param host        an IPv4 address, an IPv6 address without brackets, or a host name
 * @param port        the port, {@value #DEFAULT_PORT} when none was written
 * @param weight      {@code weight=}, at least 1; default {@value #DEFAULT_WEIGHT}
 * @param maxFails    {@code max_fails=}: failed attempts within {@code failTimeout} that take the
 *                    server out for {@code failTimeout}; 0 turns the accounting off; default
 *                    {@value #DEFAULT_MAX_FAILS}
 * @param failTimeout {@code fail_timeout=}, whole seconds as nginx reads it; default 10 s
 * @param backup      {@code backup}: used only when every primary server is unavailable
 * @param down        {@code down}: never used
 * @param maxConns    {@code max_conns=}: most active connections, 0 for no limit (the default)
 * @param line        the line of the {@code server} directive
 */
public record UpstreamServer(String host, int port, int weight, int maxFails, Duration failTimeout,
        boolean backup, boolean down, int maxConns, int line) {

    public static final int DEFAULT_PORT = 80;
    public static final int DEFAULT_WEIGHT = 1;
    public static final int DEFAULT_MAX_FAILS = 1;
    public static final Duration DEFAULT_FAIL_TIMEOUT = Duration.ofSeconds(10);

    public UpstreamServer {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(failTimeout, "failTimeout");
        if (port < 1 || port > 65535 || weight < 1 || maxFails < 0 || maxConns < 0 || failTimeout.isNegative()) {
            throw new IllegalArgumentException("out of range: " + host + ":" + port + " weight=" + weight
                    + " max_fails=" + maxFails + " max_conns=" + maxConns + " fail_timeout=" + failTimeout);
        }
    }

    /** {@code host:port}, IPv6 in brackets. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
