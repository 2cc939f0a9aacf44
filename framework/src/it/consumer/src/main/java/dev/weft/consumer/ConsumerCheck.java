package dev.weft.consumer;

import dev.weft.tcp.TcpServer;
import dev.weft.tcp.Transport;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Starts an echo server from the installed weft-framework and checks one round trip, on the JDK
 * transport and, on JDK 22 or newer, on the epoll transport (from the jar's multi-release part);
 * exits 1 on failure.
 */
public final class ConsumerCheck {

    public static void main(String[] args) throws Exception {
        echo(Transport.JDK);
        if (Runtime.version().feature() >= 22) {
            echo(Transport.EPOLL);
        }
    }

    private static void echo(Transport transport) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (TcpServer server = TcpServer.builder()
                .bindAddress(loopback)
                .transport(transport)
                .handler(conn -> conn.in().transferTo(conn.out()))
                .start();
             Socket socket = new Socket(loopback, server.port())) {
            socket.setSoTimeout(10_000);
            byte[] sent = "hello from a consumer module".getBytes(StandardCharsets.US_ASCII);
            OutputStream out = socket.getOutputStream();
            out.write(sent);
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            byte[] received = in.readAllBytes();
            if (!Arrays.equals(sent, received)) {
                System.err.println("consumer check FAILED: sent '" + new String(sent, StandardCharsets.US_ASCII)
                        + "', got '" + new String(received, StandardCharsets.US_ASCII) + "'");
                System.exit(1);
            }
            System.out.println("consumer check passed: module " + TcpServer.class.getModule().getName()
                    + " echoed " + received.length + " bytes on Transport." + server.transport());
        }
    }
}
