package dev.weft.examples.lb;

/**
 * One {@code listen [ADDRESS:]PORT [default_server] [ssl] [proxy_protocol] [backlog=N];} of a
 * server. The reader has already made the listens of one address and port agree across servers, as
 * one socket needs: {@code ssl} and {@code proxy_protocol} must be the same on all of them (nginx
 * only warns), {@code backlog} may be given on one of them and is copied to all, at most one is the
 * {@code default_server}. So a proxy binds once per distinct {@link #socket()}, with the options of
 * any of its listens.
 *
 * @param address        the address to bind as written (an IPv4 address, an IPv6 address without
 *                       brackets, or a host name), or null for any ({@code listen 8080} or
 *                       {@code *:8080}; nginx binds {@code 0.0.0.0} there)
 * @param port           the port, 1 to 65535; {@code listen ADDRESS} alone means 80
 * @param defaultServer  {@code default_server}: the server for requests whose host no server names
 *                       (without one, the first server listening on the socket)
 * @param ssl            {@code ssl}: TLS on this socket
 * @param proxyProtocol  {@code proxy_protocol}: each connection starts with a PROXY protocol header
 * @param backlog        the accept queue, {@code backlog=}; default {@value #DEFAULT_BACKLOG} as nginx on Linux
 * @param line           the line of the {@code listen} directive
 */
public record Listen(String address, int port, boolean defaultServer, boolean ssl, boolean proxyProtocol,
        int backlog, int line) {

    /** nginx's {@code NGX_LISTEN_BACKLOG} on Linux. */
    public static final int DEFAULT_BACKLOG = 511;

    public Listen {
        if (port < 1 || port > 65535 || backlog < 1) {
            throw new IllegalArgumentException("port must be 1 to 65535 and backlog positive, were "
                    + port + " and " + backlog);
        }
    }

    /** The socket as nginx names it in messages: {@code *:8080}, {@code 127.0.0.1:8080}, {@code [::1]:8080}. */
    public String socket() {
        String a = address == null ? "*" : address.indexOf(':') >= 0 ? "[" + address + "]" : address;
        return a + ":" + port;
    }
}
