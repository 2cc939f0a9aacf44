package dev.weft.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Users and password hashes for the forward proxy's Basic authentication
 * ({@code Proxy-Authorization: Basic ...}), read from a file with one user a line:
 *
 * <pre>alice:pbkdf2-sha256:210000:SALT_BASE64:HASH_BASE64</pre>
 *
 * ({@link #line} makes one; {@code #} starts a comment). PBKDF2 with HMAC-SHA-256 and 210,000
 * iterations (OWASP's figure for it) because the JDK has it: no library for bcrypt, and its
 * salted, slow hash serves the same purpose. Hashes are compared in constant time. A check costs
 * tens of milliseconds by design, so credentials that passed are remembered (as a SHA-256 of the
 * header, never the password) for {@link #REMEMBER_NANOS}, at most {@link #REMEMBERED} of them.
 */
public final class ProxyCredentials {

    static final String SCHEME = "pbkdf2-sha256";
    static final int ITERATIONS = 210_000;
    static final int REMEMBERED = 4096;
    static final long REMEMBER_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(5);

    private record Entry(int iterations, byte[] salt, byte[] hash) {
    }

    private final Map<String, Entry> users;
    private final Map<String, Long> passed = new ConcurrentHashMap<>();

    private ProxyCredentials(Map<String, Entry> users) {
        this.users = users;
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException naming the file and line of a malformed entry
     */
    public static ProxyCredentials read(Path file) throws IOException {
        Map<String, Entry> users = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(":", -1);
            try {
                if (f.length != 5 || f[0].isEmpty() || !f[1].equals(SCHEME)) {
                    throw new IllegalArgumentException("expected user:" + SCHEME + ":iterations:salt:hash");
                }
                int iterations = Integer.parseInt(f[2]);
                if (iterations < 1_000) {
                    throw new IllegalArgumentException("too few iterations: " + iterations);
                }
                if (users.put(f[0], new Entry(iterations, Base64.getDecoder().decode(f[3]), Base64.getDecoder().decode(f[4]))) != null) {
                    throw new IllegalArgumentException("user " + f[0] + " is listed twice");
                }
            } catch (IllegalArgumentException e) { // NumberFormatException and Base64's too
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new ProxyCredentials(Map.copyOf(users));
    }

    /** A line for the file: {@code user} with a new random salt and the hash of {@code password}. */
    public static String line(String user, char[] password) {
        if (user.isEmpty() || user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a user name is not empty and has no ':'");
        }
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        return user + ":" + SCHEME + ":" + ITERATIONS + ":" + b64.encodeToString(salt) + ":"
                + b64.encodeToString(pbkdf2(password, salt, ITERATIONS));
    }

    /**
     * The user a {@code Proxy-Authorization} value proves, or null if it proves none (absent,
     * malformed, unknown user, wrong password).
     */
    String check(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String token = header.substring(6).strip();
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        String user = decoded.substring(0, colon);
        String key = sha256(token);
        Long until = passed.get(key);
        if (until != null && System.nanoTime() - until < 0) {
            return user;
        }
        Entry e = users.get(user);
        byte[] given = pbkdf2(decoded.substring(colon + 1).toCharArray(), e != null ? e.salt : new byte[16],
                e != null ? e.iterations : ITERATIONS); // the same work for an unknown user: no timing hint
        if (e == null || !MessageDigest.isEqual(given, e.hash)) {
            return null;
        }
        if (passed.size() >= REMEMBERED) {
            passed.clear();
        }
        passed.put(key, System.nanoTime() + REMEMBER_NANOS);
        return user;
    }

    private static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password, salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no PBKDF2WithHmacSHA256", e);
        }
    }

    private static String sha256(String s) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
