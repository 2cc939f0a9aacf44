package dev.weft.dns;

import java.security.Security;

/**
 * How long the JDK's own cache inside {@link java.net.InetAddress} keeps answers, read the way the
 * JDK reads it: the security property ({@code networkaddress.cache.ttl}, set in the
 * {@code java.security} file or by {@link Security#setProperty}) first, then the system property
 * ({@code -Dsun.net.inetaddr.ttl}), else 30 seconds (the default without a security manager).
 *
 * <p>{@link Resolver#system()} asks {@code InetAddress}, so under a {@link CachingResolver} an
 * answer may already be this old when it enters the cache: served up to its {@code positiveTtl}
 * plus this. The JDK reads the setting once, when it first resolves a name; this reads it now.
 */
final class JdkAddressCache {

    /** The JDK's positive TTL when nothing sets one (and no security manager is installed). */
    static final int DEFAULT_SECONDS = 30;

    private JdkAddressCache() {
    }

    /** Seconds the JDK keeps a successful lookup: 0 never, -1 forever. */
    static int positiveSeconds() {
        String value = Security.getProperty("networkaddress.cache.ttl");
        if (value == null) {
            value = System.getProperty("sun.net.inetaddr.ttl");
        }
        if (value == null) {
            return DEFAULT_SECONDS;
        }
        try {
            int seconds = Integer.parseInt(value.strip());
            return seconds < 0 ? -1 : seconds;
        } catch (NumberFormatException e) {
            return DEFAULT_SECONDS; // the JDK ignores a value it cannot read, too
        }
    }
}
