package dev.weft.examples.lb;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Reads the {@code host[:port]} forms of {@code listen}, upstream {@code server} and
 * {@code proxy_pass}, checking the syntax only: names are not resolved here (that is the
 * runtime's job, with its resolver and its timeouts). Stateless.
 */
final class Addresses {

    /**
     * A parsed address.
     *
     * @param host the host (IPv6 without brackets), or null for {@code *} or a bare listen port
     * @param port the port, or -1 when none was written
     */
    record HostPort(String host, int port) {
    }

    /** Why an address was refused, in nginx's words ({@code "invalid port"}). */
    static final class BadAddress extends Exception {
        private static final long serialVersionUID = 1L;

        BadAddress(String reason) {
            super(reason, null, false, false);
        }
    }

    private Addresses() {
    }

    /**
     * {@code host}, {@code host:port}, {@code [v6]}, {@code [v6]:port}; for a listen also
     * {@code port} alone and {@code *:port}.
     */
    static HostPort parse(String s, boolean listen) throws BadAddress {
        if (s.startsWith("unix:")) {
            throw new BadAddress("unix domain sockets are not supported");
        }
        if (listen && !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return new HostPort(null, port(s));
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new BadAddress("invalid host");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new BadAddress("invalid host");
            }
            port = rest.isEmpty() ? null : rest.substring(1);
            checkIpv6(host);
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
                throw new BadAddress("invalid host");
            }
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
            if (host.isEmpty()) {
                throw new BadAddress("no host");
            }
            if (listen && host.equals("*")) {
                host = null;
            } else {
                checkName(host);
            }
        }
        return new HostPort(host, port == null ? -1 : port(port));
    }

    /** True for an IPv4 or IPv6 address (not a name). */
    static boolean isAddress(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    private static int port(String s) throws BadAddress {
        int p = Values.number(s);
        if (p < 1 || p > 65535) {
            throw new BadAddress("invalid port");
        }
        return p;
    }

    /** A host name or an IPv4 address: letters, digits, {@code -}, {@code _}, dots between labels. */
    private static void checkName(String host) throws BadAddress {
        if (host.startsWith(".") || host.endsWith(".") || host.contains("..")) {
            throw new BadAddress("invalid host");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '_' || c == '.')) {
                throw new BadAddress("invalid host");
            }
        }
        if (isAddress(host)) {
            String[] octets = host.split("\\.", -1);
            if (octets.length != 4) {
                throw new BadAddress("invalid host");
            }
            for (String o : octets) {
                int n = Values.number(o);
                if (n < 0 || n > 255 || o.length() > 3) {
                    throw new BadAddress("invalid host");
                }
            }
        }
    }

    private static void checkIpv6(String host) throws BadAddress {
        if (host.indexOf(':') < 0 || !host.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
            throw new BadAddress("invalid host");
        }
        try {
            // Bracketed, so the JDK parses it as an IPv6 literal and never asks DNS.
            InetAddress.getByName("[" + host + "]");
        } catch (UnknownHostException e) {
            throw new BadAddress("invalid host");
        }
    }
}
