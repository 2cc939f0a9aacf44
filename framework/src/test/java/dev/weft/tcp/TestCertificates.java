package dev.weft.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed server certificates for 127.0.0.1, made fresh for a test by the tools a server
 * operator uses: the JDK's {@code keytool} (PKCS#12) and {@code openssl} (PEM).
 */
public final class TestCertificates {

    public static final char[] PASSWORD = "changeit".toCharArray();

    private TestCertificates() {
    }

    /** A PKCS#12 keystore with an EC key and its certificate, password {@link #PASSWORD}. */
    public static Path pkcs12(Path dir) {
        Path store = dir.resolve("server.p12");
        run(dir, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD));
        return store;
    }

    /**
     * {@code cert.pem} and {@code key.pem} (PKCS#8) made by openssl; {@code keyType} is
     * {@code rsa:2048} or {@code ec}.
     */
    public static Path[] pem(Path dir, String keyType) {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        List<String> command = new java.util.ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", keyType));
        if (keyType.equals("ec")) {
            command.addAll(List.of("-pkeyopt", "ec_paramgen_curve:prime256v1"));
        }
        command.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"));
        run(dir, command.toArray(new String[0]));
        return new Path[] {cert, key};
    }

    /** A client context that trusts exactly the certificate in {@code certPem}. */
    public static SSLContext trusting(Path certPem) throws IOException, GeneralSecurityException {
        Certificate cert;
        try (InputStream in = Files.newInputStream(certPem)) {
            cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** Exports the certificate of a PKCS#12 store as PEM, for clients. */
    public static Path exportCertificate(Path store, Path dir) {
        Path cert = dir.resolve("exported.pem");
        run(dir, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-exportcert", "-rfc",
                "-alias", "server", "-keystore", store.toString(), "-storepass", new String(PASSWORD),
                "-file", cert.toString());
        return cert;
    }

    private static void run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
