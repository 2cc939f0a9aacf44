package dev.weft.bench.servers;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every server the benchmarks compare, by the name used on command lines, in JSON and in the
 * charts. The reference servers (everything but {@code weft*}) live in this module only; nginx,
 * HAProxy (as a reverse proxy and as a TCP proxy), Squid and tinyproxy are the Debian packages'
 * binaries, run by the harness ({@code dev.weft.bench.harness.ProxyPeer}).
 */
public enum ServerKind {
    /** Weft's {@code TcpServer} running the echo example's raw handler, on Weft's epoll transport where it runs. */
    WEFT("weft", Protocol.ECHO),
    /** Netty 4.1, native epoll transport, default event-loop threads, write + flush on read complete. */
    NETTY("netty", Protocol.ECHO),
    /** A hand-rolled NIO selector server: one selector thread per core, a shared direct buffer each. */
    NIO("nio", Protocol.ECHO),
    /** A platform thread per connection, blocking I/O: the classic textbook server. */
    PLATFORM("platform-threads", Protocol.ECHO),
    /** A virtual thread per connection with no framework: {@code ServerSocket.accept()} and {@code Thread.ofVirtual()}. */
    NAIVE_VIRTUAL("naive-virtual", Protocol.ECHO),
    /**
     * Weft's {@code HttpServer} with one route and its defaults (a user-added meter registry would add
     * its own cost), on Weft's epoll transport where it runs.
     */
    WEFT_HTTP("weft-http", Protocol.HTTP),
    /** Netty 4.1 epoll with {@code HttpServerCodec}: the shape of Netty's own hello-world example. */
    NETTY_HTTP("netty-http", Protocol.HTTP),
    /**
     * Weft's {@code ReverseProxy} ({@code keepalive} {@value WeftServers#PROXY_KEEPALIVE}) as the fallback
     * of an {@code HttpServer}, on the same transport as Weft's other servers, over an {@code UpstreamGroup}
     * of one backend.
     */
    WEFT_PROXY("weft-proxy", Protocol.PROXY),
    /** nginx ({@code /usr/sbin/nginx}, Debian's {@code nginx-light}) as a reverse proxy; not a JVM server. */
    NGINX_PROXY("nginx-proxy", Protocol.PROXY),
    /** HAProxy ({@code /usr/sbin/haproxy}, Debian's {@code haproxy}) as a reverse proxy; not a JVM server. */
    HAPROXY_PROXY("haproxy-proxy", Protocol.PROXY),
    /**
     * Weft's {@code ForwardProxy} ({@code keepalive} {@value WeftServers#PROXY_KEEPALIVE}, 127.0.0.1
     * allowed, {@code CONNECT} to one port) as the fallback of an {@code HttpServer}, on the same
     * transport as Weft's other servers.
     */
    WEFT_FWD("weft-fwd", Protocol.FORWARD),
    /** Squid ({@code /usr/sbin/squid}, Debian's {@code squid}) as a forward proxy, one worker, no cache; no JVM server. */
    SQUID("squid", Protocol.FORWARD),
    /** tinyproxy ({@code /usr/bin/tinyproxy}, Debian's {@code tinyproxy}) as a forward proxy; not a JVM server. */
    TINYPROXY("tinyproxy", Protocol.FORWARD),
    /**
     * Weft's {@code TcpProxy} with its defaults over an {@code UpstreamGroup} of one backend, on the
     * same transport as Weft's other servers ({@link WeftServers#tcpProxy}).
     */
    WEFT_TCP_PROXY("weft-tcp-proxy", Protocol.TCP_PROXY),
    /** HAProxy ({@code /usr/sbin/haproxy}, Debian's {@code haproxy}) in {@code mode tcp}; not a JVM server. */
    HAPROXY_TCP("haproxy-tcp", Protocol.TCP_PROXY),
    /**
     * No proxy: the load goes straight to the backend (or the tunnel's sink), the reference row of
     * every proxy scenario: reverse, forward and TCP ({@link #speaks}).
     */
    DIRECT("direct", Protocol.PROXY);

    private final String label;
    private final Protocol protocol;

    ServerKind(String label, Protocol protocol) {
        this.label = label;
        this.protocol = protocol;
    }

    public String label() {
        return label;
    }

    /** The protocol it is listed under; {@code direct}'s is {@link Protocol#PROXY}, though it speaks three. */
    public Protocol protocol() {
        return protocol;
    }

    /**
     * Whether it runs in the scenarios of {@code p}: its own protocol's, and for {@code direct} every
     * proxy scenario's ({@link Protocol#proxied()}), whose reference it is.
     */
    public boolean speaks(Protocol p) {
        return p == protocol || this == DIRECT && p.proxied();
    }

    /** Whether it is a scenario's reference ({@code direct}) rather than a server compared. */
    public boolean reference() {
        return this == DIRECT;
    }

    /** Whether {@link ServerMain} can run it in a JVM of its own. */
    public boolean inJvm() {
        return this != NGINX_PROXY && this != HAPROXY_PROXY && this != DIRECT && this != SQUID && this != TINYPROXY
                && this != HAPROXY_TCP;
    }

    /** Starts this server on 127.0.0.1 and an ephemeral port, ready for {@code maxConnections} connections. */
    public BenchServer start(int maxConnections) throws IOException {
        return start(maxConnections, 0, 0);
    }

    /**
     * Starts this server on 127.0.0.1 and an ephemeral port, ready for {@code maxConnections}
     * connections; {@code backendPort} is the port on 127.0.0.1 that {@code weft-proxy} and
     * {@code weft-tcp-proxy} forward to (ignored by the others).
     *
     * @throws IllegalArgumentException for {@code weft-proxy} or {@code weft-tcp-proxy} without a backend
     *                                  port, {@code weft-fwd} (which needs a {@code CONNECT} port:
     *                                  {@link #start(int, int, int)})
     * @throws UnsupportedOperationException for nginx, HAProxy, Squid, tinyproxy and {@code direct},
     *                                       which are no JVM servers
     */
    public BenchServer start(int maxConnections, int backendPort) throws IOException {
        return start(maxConnections, backendPort, 0);
    }

    /**
     * Starts this server on 127.0.0.1 and an ephemeral port, ready for {@code maxConnections}
     * connections; {@code backendPort} is the port on 127.0.0.1 that {@code weft-proxy} and
     * {@code weft-tcp-proxy} forward to, {@code connectPort} the one port {@code weft-fwd} lets
     * {@code CONNECT} reach (both ignored by the others).
     *
     * @throws IllegalArgumentException for {@code weft-proxy} or {@code weft-tcp-proxy} without a backend
     *                                  port or {@code weft-fwd} without a {@code CONNECT} port
     * @throws UnsupportedOperationException for nginx, HAProxy, Squid, tinyproxy and {@code direct},
     *                                       which are no JVM servers
     */
    public BenchServer start(int maxConnections, int backendPort, int connectPort) throws IOException {
        return switch (this) {
            case WEFT -> WeftServers.echo(maxConnections);
            case NETTY -> NettyEchoServer.start();
            case NIO -> NioEchoServer.start();
            case PLATFORM -> ThreadPerConnectionEchoServer.start(Thread.ofPlatform().name("echo-", 0));
            case NAIVE_VIRTUAL -> ThreadPerConnectionEchoServer.start(Thread.ofVirtual().name("echo-", 0));
            case WEFT_HTTP -> WeftServers.http(maxConnections);
            case NETTY_HTTP -> NettyHttpServer.start();
            case WEFT_PROXY -> WeftServers.proxy(maxConnections, backendPort(backendPort));
            case WEFT_TCP_PROXY -> WeftServers.tcpProxy(maxConnections, backendPort(backendPort));
            case WEFT_FWD -> {
                if (connectPort <= 0 || connectPort > 65_535) {
                    throw new IllegalArgumentException("weft-fwd needs the port CONNECT may reach, was " + connectPort);
                }
                yield WeftServers.forwardProxy(maxConnections, connectPort);
            }
            case NGINX_PROXY, HAPROXY_PROXY, SQUID, TINYPROXY, HAPROXY_TCP, DIRECT ->
                throw new UnsupportedOperationException(label
                        + " is not a server of this JVM: the harness runs it (or, for direct, the backend alone)");
        };
    }

    /** {@code port} if it can be the backend's port, else an exception naming this kind. */
    private int backendPort(int port) {
        if (port <= 0 || port > 65_535) {
            throw new IllegalArgumentException(label + " needs the backend's port, was " + port);
        }
        return port;
    }

    /** The transport Weft's servers run on in this JVM: {@code EPOLL} where it can, else {@code JDK}. */
    public static String weftTransport() {
        return WeftServers.TRANSPORT.name();
    }

    /** The idle backend connections Weft's reverse proxy keeps ({@code ReverseProxy.Builder.keepalive}). */
    public static int weftProxyKeepalive() {
        return WeftServers.PROXY_KEEPALIVE;
    }

    /**
     * The handler Weft's echo server runs in JVMs with these flags ({@code -Dweft.bench.echo=loop}
     * picks the plain loop): {@code echoPerMessage} or {@code echoRaw}, of {@code EchoServer}.
     */
    public static String weftEcho(List<String> jvmFlags) {
        String prefix = "-D" + WeftServers.ECHO_PROPERTY + "=";
        return jvmFlags.stream().filter(f -> f.startsWith(prefix)).reduce((a, b) -> b)
                .map(f -> WeftServers.isLoop(f.substring(prefix.length()))).orElse(false) ? "echoRaw" : "echoPerMessage";
    }

    /** The kind with this label; throws {@link IllegalArgumentException} naming the labels there are. */
    public static ServerKind of(String label) {
        for (ServerKind k : values()) {
            if (k.label.equals(label.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown server '" + label + "'; one of " + labels());
    }

    /** The labels, in declaration order. */
    public static List<String> labels() {
        return Arrays.stream(values()).map(ServerKind::label).toList();
    }

    @Override
    public String toString() {
        return label;
    }
}
