package dev.weft.bench.servers;

import dev.weft.balance.UpstreamGroup;
import dev.weft.bench.Loopback;
import dev.weft.examples.EchoServer;
import dev.weft.http.HttpServer;
import dev.weft.proxy.ReverseProxy;
import dev.weft.tcp.ConnectionHandler;
import dev.weft.tcp.ServerOptions;
import dev.weft.tcp.TcpServer;
import dev.weft.tcp.Transport;

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

    /**
     * The reverse proxy's idle connections kept to its backend ({@code ReverseProxy.Builder.keepalive},
     * nginx's {@code keepalive}): more than the largest connection count of the proxy scenario, so
     * the pool never closes a connection the next request would want.
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

    /** A started server as a {@link BenchServer}. */
    record Started(int port, Runnable stop) implements BenchServer {
        @Override
        public void close() {
            stop.run();
        }
    }
}
