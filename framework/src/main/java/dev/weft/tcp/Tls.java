package dev.weft.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Builds a server {@link SSLContext} from a key and certificate chain on disk, in the two forms
 * servers are usually given: a PKCS#12 keystore, or PEM files (as certbot and openssl write them).
 * The context offers TLS 1.3 and 1.2 with the JDK's default ciphers.
 */
public final class Tls {

    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448"};

    private Tls() {
    }

    /**
     * From a PKCS#12 file holding one private key entry and its chain.
     *
     * @throws GeneralSecurityException if the file is not a usable keystore or the password is wrong
     */
    public static SSLContext fromPkcs12(Path keystore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password);
        }
        return context(store, password);
    }

    /**
     * From PEM files: {@code certificateChain} holds one or more {@code CERTIFICATE} blocks (the
     * server's first), {@code privateKey} one unencrypted PKCS#8 {@code PRIVATE KEY} block (RSA, EC
     * or EdDSA; convert a PKCS#1 {@code RSA PRIVATE KEY} with {@code openssl pkcs8 -topk8 -nocrypt}).
     *
     * @throws GeneralSecurityException if a block cannot be parsed
     */
    public static SSLContext fromPem(Path certificateChain, Path privateKey) throws IOException, GeneralSecurityException {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        List<Certificate> chain = new ArrayList<>();
        for (byte[] der : blocks(Files.readString(certificateChain, StandardCharsets.US_ASCII), "CERTIFICATE")) {
            chain.add(x509.generateCertificate(new java.io.ByteArrayInputStream(der)));
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no CERTIFICATE block in " + certificateChain);
        }
        List<byte[]> keys = blocks(Files.readString(privateKey, StandardCharsets.US_ASCII), "PRIVATE KEY");
        if (keys.size() != 1) {
            throw new GeneralSecurityException("expected one PRIVATE KEY block (PKCS#8, unencrypted) in " + privateKey
                    + ", found " + keys.size());
        }
        char[] password = new char[0];
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", privateKey(keys.get(0)), password, chain.toArray(new Certificate[0]));
        return context(store, password);
    }

    private static SSLContext context(KeyStore store, char[] password) throws GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static PrivateKey privateKey(byte[] pkcs8) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("the PRIVATE KEY is not an RSA, EC or EdDSA key in PKCS#8 form");
    }

    /** The decoded contents of every {@code -----BEGIN <label>-----} block. */
    private static List<byte[]> blocks(String pem, String label) throws GeneralSecurityException {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        List<byte[]> result = new ArrayList<>();
        for (int from = pem.indexOf(begin); from >= 0; from = pem.indexOf(begin, from)) {
            int stop = pem.indexOf(end, from);
            if (stop < 0) {
                throw new GeneralSecurityException("unterminated " + begin);
            }
            try {
                result.add(Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), stop)));
            } catch (IllegalArgumentException e) {
                throw new GeneralSecurityException("bad base64 in a " + label + " block", e);
            }
            from = stop + end.length();
        }
        return result;
    }
}
