package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TLS on the TCP server: keys from PKCS#12 and PEM, the handshake's timeout and failures. */
class TlsTest {

    @TempDir
    Path dir;
    private final ServerFixture fixture = new ServerFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    /** Replies "secure" or "plain", then echoes. */
    private static ConnectionHandler reportThenEcho() {
        return conn -> {
            conn.out().write((conn.isSecure() ? "secure\n" : "plain\n").getBytes(StandardCharsets.US_ASCII));
            conn.in().transferTo(conn.out());
        };
    }

    private SSLSocket tlsClient(SSLContext trust) throws IOException {
        SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), fixture.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void echoesOverTlsWithAPkcs12Key() throws Exception {
        Path store = TestCertificates.pkcs12(dir);
        SSLContext server = Tls.fromPkcs12(store, TestCertificates.PASSWORD);
        fixture.start(reportThenEcho(), b -> b.tls(server));
        byte[] payload = new byte[200 * 1024];
        new Random(1).nextBytes(payload);

        try (SSLSocket client = tlsClient(TestCertificates.trusting(TestCertificates.exportCertificate(store, dir)))) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.getOutputStream().write(payload);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertEquals("secure\n", new String(client.getInputStream().readNBytes(7), StandardCharsets.US_ASCII));
            assertArrayEquals(payload, client.getInputStream().readNBytes(payload.length));
            writer.join();
            assertTrue(client.getSession().getProtocol().startsWith("TLSv1."), client.getSession().getProtocol());
        }
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ec", "rsa:2048"})
    void loadsPemFromOpenssl(String keyType) throws Exception {
        Path[] pem = TestCertificates.pem(dir, keyType);
        SSLContext server = Tls.fromPem(pem[0], pem[1]);
        fixture.start(reportThenEcho(), b -> b.tls(server));

        try (SSLSocket client = tlsClient(TestCertificates.trusting(pem[0]))) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("secure\nping", new String(client.getInputStream().readNBytes(11), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aClientThatNeverStartsTheHandshakeIsCutAtTheHandshakeTimeout() throws Exception {
        Path store = TestCertificates.pkcs12(dir);
        SSLContext server = Tls.fromPkcs12(store, TestCertificates.PASSWORD);
        fixture.start(reportThenEcho(), b -> b.tls(server).handshakeTimeout(Duration.ofMillis(500)));
        TestClient silent = fixture.connect();
        long start = System.nanoTime();

        byte[] sent = silent.readToEnd();

        assertTrue(sent.length == 0 || sent[0] == 21, "nothing, or a TLS alert record (type 21)");
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waitedMillis >= 400 && waitedMillis < 5_000, "ended after " + waitedMillis + " ms");
        fixture.awaitOnlyClosed(CloseCause.READ_TIMEOUT, 1);
    }

    @Test
    void plainTextOnATlsPortIsCountedAsATlsErrorAndTheServerCarriesOn() throws Exception {
        Path store = TestCertificates.pkcs12(dir);
        SSLContext server = Tls.fromPkcs12(store, TestCertificates.PASSWORD);
        fixture.start(reportThenEcho(), b -> b.tls(server));
        TestClient plain = fixture.connect();
        plain.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        plain.readToEnd(); // the server's alert, if any, then end of stream
        fixture.awaitOnlyClosed(CloseCause.TLS_ERROR, 1);

        try (SSLSocket client = tlsClient(TestCertificates.trusting(TestCertificates.exportCertificate(store, dir)))) {
            assertEquals("secure\n", new String(client.getInputStream().readNBytes(7), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void pemWithoutAKeyBlockIsRefusedWithAMessage() throws Exception {
        Path[] pem = TestCertificates.pem(dir, "ec");
        Path notAKey = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> Tls.fromPem(pem[0], notAKey));
        assertTrue(e.getMessage().contains("PRIVATE KEY"), e.getMessage());
    }
}
