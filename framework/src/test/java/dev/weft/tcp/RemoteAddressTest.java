package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A connection knows its peer's address even after the peer is gone (both transports: the suite runs twice). */
class RemoteAddressTest {

    @Test
    void thePeersAddressOutlivesItsReset() throws Exception {
        CountDownLatch reset = new CountDownLatch(1);
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .handler(conn -> {
                    reset.await(10, TimeUnit.SECONDS);
                    InetSocketAddress peer = conn.remoteAddress();
                    seen.add(peer == null ? "null" : peer.getAddress().getHostAddress() + ":" + peer.getPort());
                }).start()) {
            int localPort;
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                localPort = s.getLocalPort();
                s.setSoLinger(true, 0); // the close resets: the kernel forgets the connection
            }
            reset.countDown();
            String address = seen.poll(10, TimeUnit.SECONDS);
            assertEquals("127.0.0.1:" + localPort, address);
        }
    }
}
