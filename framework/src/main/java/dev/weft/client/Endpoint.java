package dev.weft.client;

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

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
