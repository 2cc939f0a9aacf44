package dev.weft.bench.servers;

import dev.weft.balance.UpstreamGroup;
import dev.weft.bench.Loopback;
import dev.weft.dns.CachingResolver;
import dev.weft.dns.Resolver;
import dev.weft.examples.EchoServer;
import dev.weft.http.HttpServer;
import dev.weft.proxy.AddressRange;
import dev.weft.proxy.ForwardProxy;
import dev.weft.proxy.ReverseProxy;
import dev.weft.proxy.TcpProxy;
import dev.weft.tcp.ConnectionHandler;
import dev.weft.tcp.ServerOptions;
import dev.weft.tcp.TcpServer;
import dev.weft.tcp.Transport;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Weft's servers under test: what an application writes, with the limit raised for the connection
 * count, on Weft's epoll transport (Netty's servers here use Netty's): {@link #TRANSPORT}. Echo
 * clients speak first, so the echo server says so, as {@code HttpServer} does for HTTP: connections
 * get their threads when their first bytes come; and it hands each connection back between
 * messages ({@link #ECHO}).
 */
final class WeftServers {

    /**
     * {@link Transport#EPOLL} where this JVM runs it (Linux, JDK 22+), else {@link Transport#JDK};
     * {@code -Dweft.bench.transport=jdk} measures the JDK's transport instead.
     */
    static final Transport TRANSPORT = pick();

    static final String ECHO_PROPERTY = "weft.bench.echo";

    /** The framework's property for the transport of a server built without one ({@code Transport}). */
    static final String TRANSPORT_PROPERTY = "weft.transport";

    /**
     * The proxies' idle connections kept to their backend ({@code ReverseProxy.Builder.keepalive},
     * nginx's {@code keepalive}; {@code ForwardProxy.Builder.keepalive}, per destination): more than
     * the largest connection count of the proxy scenarios, so the pool never closes a connection the
     * next request would want.
     */
    public static final int PROXY_KEEPALIVE = 1024;

    /**
     * {@link EchoServer#echoPerMessage}, which hands the connection back between messages (so no
     * thread waits for the next one, as {@code HttpServer} does between requests);
     * {@code -Dweft.bench.echo=loop} measures the plain blocking loop, {@link EchoServer#echoRaw}.
     */
    static final ConnectionHandler ECHO = isLoop(System.getProperty(ECHO_PROPERTY))
            ? EchoServer::echoRaw : EchoServer::echoPerMessage;

    private WeftServers() {
    }

    /**
     * Makes {@link #TRANSPORT} the transport of every server this JVM builds without naming one,
     * unless {@code -Dweft.transport} names one already: {@code TcpProxy}'s builder takes no
     * transport, and its server follows that property, as an application's would. {@link ServerMain}
     * calls it before it starts its one server; the servers here that name their transport are not
     * affected. Not for a JVM that runs other code after it (a test's): the property is global.
     */
    static void useTransportByDefault() {
        if (System.getProperty(TRANSPORT_PROPERTY) == null) {
            System.setProperty(TRANSPORT_PROPERTY, TRANSPORT.name().toLowerCase(Locale.ROOT));
        }
    }

    static boolean isLoop(String echoProperty) {
        return "loop".equals(echoProperty);
    }

    private static Transport pick() {
        if ("jdk".equalsIgnoreCase(System.getProperty("weft.bench.transport"))) {
            return Transport.JDK;
        }
        return Transport.EPOLL.isAvailable() ? Transport.EPOLL : Transport.JDK;
    }

    static BenchServer echo(int maxConnections) {
        TcpServer server = TcpServer.builder()
                .name("bench-echo")
                .bindAddress(Loopback.address())
                .port(0)
                .maxConnections(maxConnections)
                .transport(TRANSPORT)
                .clientSpeaksFirst(ServerOptions.DEFAULT_IDLE_TIMEOUT)
                .handler(ECHO)
                .start();
        return new Started(server.port(), server::close);
    }

    static BenchServer http(int maxConnections) {
        HttpServer server = HttpServer.builder()
                .name("bench-http")
                .bindAddress(Loopback.address())
                .port(0)
                .maxConnections(maxConnections)
                .transport(TRANSPORT)
                .get("/hello", (req, res) -> res.header("Content-Type", "text/plain").send(Protocol.HELLO_BODY))
                .start();
        return new Started(server.port(), server::close);
    }

    /**
     * Weft's reverse proxy as an application writes it: a {@link ReverseProxy} over an
     * {@link UpstreamGroup} of one server, 127.0.0.1:{@code backendPort}, as the fallback of an
     * {@link HttpServer}; defaults but {@code keepalive} ({@link #PROXY_KEEPALIVE}).
     */
    static BenchServer proxy(int maxConnections, int backendPort) {
        UpstreamGroup group = UpstreamGroup.builder("backend").add("127.0.0.1:" + backendPort).build();
        ReverseProxy proxy = ReverseProxy.builder(group).keepalive(PROXY_KEEPALIVE).build();
        HttpServer server;
        try {
            server = HttpServer.builder()
                    .name("bench-proxy")
                    .bindAddress(Loopback.address())
                    .port(0)
                    .maxConnections(maxConnections)
                    .transport(TRANSPORT)
                    .fallback(proxy)
                    .start();
        } catch (RuntimeException e) {
            proxy.close();
            group.close();
            throw e;
        }
        return new Started(server.port(), () -> {
            server.close();
            proxy.close();
            group.close();
        });
    }

    /**
     * Weft's TCP proxy as an application writes it: a {@link TcpProxy} over an {@link UpstreamGroup}
     * of one server, 127.0.0.1:{@code backendPort}; defaults but the connection limit. Its builder
     * takes no transport: it runs on the one {@code weft.transport} names, which in
     * {@link ServerMain}'s JVM is {@link #TRANSPORT} ({@link #useTransportByDefault}), elsewhere the
     * JDK's unless set.
     */
    static BenchServer tcpProxy(int maxConnections, int backendPort) {
        UpstreamGroup group = UpstreamGroup.builder("backend").add("127.0.0.1:" + backendPort).build();
        TcpProxy proxy;
        try {
            proxy = TcpProxy.builder(group)
                    .name("bench-tcp-proxy")
                    .bindAddress(Loopback.address())
                    .port(0)
                    .maxConnections(maxConnections)
                    .start();
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
        return new Started(proxy.port(), () -> {
            proxy.close();
            group.close();
        });
    }

    /**
     * Weft's forward proxy as {@code ./weft proxy --allow 127.0.0.1 --connect-ports P} builds it: a
     * {@link ForwardProxy} on a {@link CachingResolver} over the system's, destinations in 127.0.0.1
     * allowed (the backend and the sink are on loopback, which it refuses by default), {@code CONNECT}
     * to {@code connectPort} only, as the fallback of an {@link HttpServer}; defaults but
     * {@code keepalive} ({@link #PROXY_KEEPALIVE}, where the command keeps the default 32) and the
     * connection limit, on {@link #TRANSPORT}.
     */
    static BenchServer forwardProxy(int maxConnections, int connectPort) {
        CachingResolver resolver = new CachingResolver("bench-forward", Resolver.system());
        ForwardProxy proxy = ForwardProxy.builder()
                .resolver(resolver)
                .allow(List.of(AddressRange.parse(Loopback.address().getHostAddress())))
                .connectPorts(Set.of(connectPort))
                .keepalive(PROXY_KEEPALIVE)
                .build();
        HttpServer server;
        try {
            server = HttpServer.builder()
                    .name("bench-forward")
                    .bindAddress(Loopback.address())
                    .port(0)
                    .maxConnections(maxConnections)
                    .transport(TRANSPORT)
                    .fallback(proxy)
                    .start();
        } catch (RuntimeException e) {
            proxy.close();
            resolver.close();
            throw e;
        }
        return new Started(server.port(), () -> {
            server.close();
            proxy.close();
            resolver.close();
        });
    }

    /** A started server as a {@link BenchServer}. */
    record Started(int port, Runnable stop) implements BenchServer {
        @Override
        public void close() {
            stop.run();
        }
    }
}
