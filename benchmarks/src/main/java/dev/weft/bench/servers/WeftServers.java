package dev.weft.bench.servers;

import dev.weft.bench.Loopback;
import dev.weft.examples.EchoServer;
import dev.weft.http.HttpServer;
import dev.weft.tcp.TcpServer;

/** Weft's servers under test: what an application writes, with the limit raised for the connection count. */
final class WeftServers {

    private WeftServers() {
    }

    static BenchServer echo(int maxConnections) {
        TcpServer server = TcpServer.builder()
                .name("bench-echo")
                .bindAddress(Loopback.address())
                .port(0)
                .maxConnections(maxConnections)
                .handler(EchoServer::echoRaw)
                .start();
        return new Started(server.port(), server::close);
    }

    static BenchServer http(int maxConnections) {
        HttpServer server = HttpServer.builder()
                .name("bench-http")
                .bindAddress(Loopback.address())
                .port(0)
                .maxConnections(maxConnections)
                .get("/hello", (req, res) -> res.header("Content-Type", "text/plain").send(Protocol.HELLO_BODY))
                .start();
        return new Started(server.port(), server::close);
    }

    /** A started server as a {@link BenchServer}. */
    record Started(int port, Runnable stop) implements BenchServer {
        @Override
        public void close() {
            stop.run();
        }
    }
}
