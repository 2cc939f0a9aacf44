package dev.weft.tcp;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * The server half of {@link AcceptErrorTest}: an echo server meant to run in a JVM started under a
 * low open-file limit, so that {@code accept()} fails with EMFILE ("Too many open files").
 *
 * <p>Prints {@code PORT <port>}; then, for each {@code STATS} line on standard input, prints
 * {@code STATS <accept errors> <opened> <active>}; exits when standard input ends.
 */
public final class FdLimitedServer {

    private FdLimitedServer() {
    }

    public static void main(String[] args) throws IOException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TcpServer server = TcpServer.builder()
                .name("fd-limited")
                .meterRegistry(registry)
                .bindAddress(InetAddress.getLoopbackAddress())
                .handler(Handlers.echo())
                .start()) {
            System.out.println("PORT " + server.port());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            for (String line; (line = commands.readLine()) != null; ) {
                if (line.equals("STATS")) {
                    System.out.println("STATS "
                            + (long) registry.get("weft.tcp.accept.errors").counter().count() + " "
                            + (long) registry.get("weft.tcp.connections.opened").counter().count() + " "
                            + server.activeConnections());
                }
            }
        }
    }
}
