package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Choosing a transport: the epoll one runs where it can (Linux, JDK 22+) and says why where it
 * cannot, TLS stays on the JDK's, and the system property sets the default. The whole TCP and HTTP
 * suites run a second time with {@code -Dweft.transport=epoll} (see the pom); this class checks that
 * that run really is on epoll.
 */
@Timeout(30)
class TransportTest {

    private static final boolean EPOLL_RUNS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
            .startsWith("linux") && Runtime.version().feature() >= 22;

    /** Echoes, then answers "peer=<port>" with the port the server saw the client on. */
    private static final ConnectionHandler ECHO_PEER = conn -> {
        byte[] b = new byte[64];
        int n = conn.in().read(b);
        conn.out().write(b, 0, n);
        conn.out().write(("peer=" + conn.remoteAddress().getPort() + " local=" + conn.localAddress().getPort())
                .getBytes(StandardCharsets.US_ASCII));
    };

    @Test
    void availabilityFollowsTheJvm() {
        assertTrue(Transport.JDK.isAvailable());
        assertEquals(EPOLL_RUNS, Transport.EPOLL.isAvailable());
    }

    @Test
    void epollServesWhereTheJvmCanRunItAndSaysWhyWhereNot() throws Exception {
        TcpServer.Builder builder = TcpServer.builder().name("epoll").bindAddress(InetAddress.getLoopbackAddress())
                .transport(Transport.EPOLL).handler(ECHO_PEER);
        if (!EPOLL_RUNS) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, builder::start);
            assertTrue(e.getMessage().contains("Transport.EPOLL needs"), e.getMessage());
            return;
        }
        try (TcpServer server = builder.start()) {
            assertEquals(Transport.EPOLL, server.transport());
            assertEchoesAndKnowsTheAddresses(server.localAddress());
        }
    }

    @Test
    void epollListensOnIpv6AndTheWildcardTakesBothFamilies() throws Exception {
        assumeTrue(EPOLL_RUNS, "the epoll transport runs on Linux with JDK 22+ (TransportTest checks its refusal elsewhere)");
        try (TcpServer v6 = TcpServer.builder().name("epoll-v6").bindAddress(InetAddress.getByName("::1"))
                .transport(Transport.EPOLL).handler(ECHO_PEER).start()) {
            assertEchoesAndKnowsTheAddresses(v6.localAddress());
        }
        try (TcpServer any = TcpServer.builder().name("epoll-any").transport(Transport.EPOLL).handler(ECHO_PEER)
                .start()) {
            assertEchoesAndKnowsTheAddresses(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), any.port()));
            assertEchoesAndKnowsTheAddresses(new InetSocketAddress(InetAddress.getByName("::1"), any.port()));
        }
    }

    @Test
    void epollRefusesTlsAndOptionsItDoesNotKnow(@TempDir Path dir) throws Exception {
        SSLContext tls = Tls.fromPkcs12(TestCertificates.pkcs12(dir), TestCertificates.PASSWORD);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TcpServer.builder()
                .tls(tls).transport(Transport.EPOLL).handler(ECHO_PEER).start());
        assertEquals("TLS runs on Transport.JDK only, not EPOLL", e.getMessage());
        if (EPOLL_RUNS) {
            e = assertThrows(IllegalArgumentException.class, () -> TcpServer.builder().transport(Transport.EPOLL)
                    .socketOption(StandardSocketOptions.IP_MULTICAST_TTL, 3).handler(ECHO_PEER).start());
            assertEquals("socket option IP_MULTICAST_TTL is not supported here by Transport.EPOLL", e.getMessage());
        }
    }

    @Test
    void systemPropertySetsTheDefaultAndTlsStaysOnTheJdk(@TempDir Path dir) throws Exception {
        SSLContext tls = Tls.fromPkcs12(TestCertificates.pkcs12(dir), TestCertificates.PASSWORD);
        String before = System.getProperty("weft.transport");
        try {
            System.setProperty("weft.transport", "epoll");
            assertEquals(EPOLL_RUNS ? Transport.EPOLL : Transport.JDK, transportOf(() -> TcpServer.builder()));
            assertEquals(Transport.JDK, transportOf(() -> TcpServer.builder().tls(tls)));
            System.setProperty("weft.transport", "JDK");
            assertEquals(Transport.JDK, transportOf(() -> TcpServer.builder()));
            System.setProperty("weft.transport", "kqueue");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> transportOf(() -> TcpServer.builder()));
            assertEquals("weft.transport must be jdk or epoll, was 'kqueue'", e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("weft.transport");
            } else {
                System.setProperty("weft.transport", before);
            }
        }
    }

    /** In the suite's second run (-Dweft.transport=epoll) every plain server must really be on epoll. */
    @Test
    void theEpollRunOfTheSuiteIsOnEpoll() throws Exception {
        Transport expected = "epoll".equals(System.getProperty("weft.transport")) && EPOLL_RUNS
                ? Transport.EPOLL : Transport.JDK;
        assertEquals(expected, transportOf(() -> TcpServer.builder()));
    }

    private static Transport transportOf(Supplier<TcpServer.Builder> builder) {
        try (TcpServer server = builder.get().bindAddress(InetAddress.getLoopbackAddress()).handler(c -> { })
                .start()) {
            return server.transport();
        }
    }

    private static void assertEchoesAndKnowsTheAddresses(InetSocketAddress target) throws IOException {
        try (Socket client = new Socket(target.getAddress(), target.getPort())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), in.readNBytes(5));
            String rest = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals("peer=" + client.getLocalPort() + " local=" + target.getPort(), rest);
        }
    }
}
