package dev.weft.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for the connections a {@link ConnectionPool} makes: which certificates are trusted, whether
 * the server's name is checked, and which name is sent (SNI). nginx's {@code proxy_ssl_verify},
 * {@code proxy_ssl_trusted_certificate}, {@code proxy_ssl_server_name} and {@code proxy_ssl_name}.
 *
 * @param context    where the trusted certificates come from
 * @param verify     whether the certificate must chain to a trusted one and name the server
 *                   (verification off trusts any certificate: only for servers on a network you control)
 * @param sendName   whether to send the server's name in the handshake (SNI)
 * @param serverName the name to send and verify, or null for the endpoint's host
 */
public record ClientTls(SSLContext context, boolean verify, boolean sendName, String serverName) {

    public ClientTls {
        Objects.requireNonNull(context, "context");
    }

    /** The JDK's trust store (its CA certificates), verification and SNI on: what a browser does. */
    public static ClientTls system() {
        try {
            return new ClientTls(SSLContext.getDefault(), true, true, null);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no default TLS context", e);
        }
    }

    /**
     * Trusting only the certificates in a PEM file ({@code proxy_ssl_trusted_certificate}), with
     * verification and SNI on.
     */
    public static ClientTls trusting(Path pemCertificates) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        try (InputStream in = Files.newInputStream(pemCertificates)) {
            int i = 0;
            for (Certificate c : x509.generateCertificates(in)) {
                store.setCertificateEntry("trusted-" + i++, c);
            }
            if (i == 0) {
                throw new GeneralSecurityException("no certificate in " + pemCertificates);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return new ClientTls(context, true, true, null);
    }

    public ClientTls withVerify(boolean value) {
        return new ClientTls(context, value, sendName, serverName);
    }

    public ClientTls withSendName(boolean value) {
        return new ClientTls(context, verify, value, serverName);
    }

    public ClientTls withServerName(String value) {
        return new ClientTls(context, verify, sendName, value);
    }

    /** Runs the handshake over {@code plain}, connected to {@code endpoint}; the TLS socket on it. */
    SSLSocket handshake(Socket plain, Endpoint endpoint) throws IOException {
        String name = serverName != null ? serverName : endpoint.host();
        SSLContext ctx = verify ? context : trustAll();
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, name, endpoint.port(), true);
        SSLParameters p = s.getSSLParameters();
        if (verify) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (sendName && !isAddressLiteral(name)) {
            p.setServerNames(java.util.List.of(new SNIHostName(name)));
        } else {
            p.setServerNames(java.util.List.of());
        }
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    private static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /** A context that takes any certificate: what {@code proxy_ssl_verify off} (nginx's default) asks for. */
    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // verification is off by request
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context", e);
        }
    }
}
