package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.tcp.ConnectionHandler;
import dev.weft.tcp.TcpServer;
import dev.weft.tcp.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EchoServerTest {

    @Test
    void answersEachChunkWithThePrefix() throws IOException {
        try (TcpServer server = start(EchoServer::echoWithPrefix);
             Socket client = connect(server)) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            assertEquals("Echo: hello", new String(readExactly(client.getInputStream(), 11), StandardCharsets.US_ASCII));
            client.getOutputStream().write("again".getBytes(StandardCharsets.US_ASCII));
            assertEquals("Echo: again", new String(readExactly(client.getInputStream(), 11), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void splitsChunksLongerThan1024Bytes() throws IOException {
        try (TcpServer server = start(EchoServer::echoWithPrefix);
             Socket client = connect(server)) {
            byte[] payload = new byte[3000];
            Random random = new Random(1);
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) ('a' + random.nextInt(26)); // never 'E', so prefixes are unambiguous
            }
            client.getOutputStream().write(payload);
            client.shutdownOutput();
            byte[] reply = client.getInputStream().readAllBytes();
            // However the kernel cut the stream, every chunk is at most 1024 bytes behind its own prefix.
            int at = 0;
            int echoed = 0;
            while (at < reply.length) {
                assertArrayEquals(EchoServer.PREFIX, java.util.Arrays.copyOfRange(reply, at, at + 6));
                at += 6;
                int next = nextPrefix(reply, at, payload, echoed);
                echoed += next - at;
                at = next;
            }
            assertEquals(payload.length, echoed);
        }
    }

    @Test
    void rawModeEchoesBytesUnchanged() throws IOException {
        try (TcpServer server = start(EchoServer::echoRaw);
             Socket client = connect(server)) {
            byte[] payload = new byte[100_000]; // the buffer grows from 256 bytes to its 16 KiB cap on the way
            new Random(2).nextBytes(payload);
            client.getOutputStream().write(payload);
            client.shutdownOutput();
            assertArrayEquals(payload, client.getInputStream().readAllBytes());
        }
    }

    @Test
    void perMessageModeEchoesOnBothTransports() throws IOException {
        for (Transport transport : Transport.values()) {
            if (!transport.isAvailable()) {
                continue; // EPOLL on JDK 21: TransportTest in the framework checks the refusal
            }
            try (TcpServer server = start(EchoServer::echoPerMessage, transport);
                 Socket client = connect(server)) {
                for (int i = 0; i < 5; i++) { // small messages: on epoll each is served by a new thread
                    byte[] ping = ("ping " + i).getBytes(StandardCharsets.US_ASCII);
                    client.getOutputStream().write(ping);
                    assertArrayEquals(ping, readExactly(client.getInputStream(), ping.length), transport.name());
                }
                byte[] payload = new byte[100_000]; // full reads: the same thread reads on
                new Random(3).nextBytes(payload);
                client.getOutputStream().write(payload);
                client.shutdownOutput();
                assertArrayEquals(payload, client.getInputStream().readAllBytes(), transport.name());
            }
        }
    }

    /** Where the chunk starting at {@code at} ends: its bytes match the payload, at most 1024 of them. */
    private static int nextPrefix(byte[] reply, int at, byte[] payload, int echoed) {
        int i = at;
        while (i < reply.length && i - at < EchoServer.CHUNK && reply[i] == payload[echoed + i - at]) {
            i++;
        }
        return i;
    }

    private static TcpServer start(ConnectionHandler handler) {
        return start(handler, Transport.JDK);
    }

    private static TcpServer start(ConnectionHandler handler, Transport transport) {
        return TcpServer.builder()
                .bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .transport(transport)
                .handler(handler)
                .start();
    }

    private static Socket connect(TcpServer server) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        assertEquals(n, b.length, "stream ended early");
        return b;
    }
}
