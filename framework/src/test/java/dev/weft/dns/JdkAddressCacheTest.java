package dev.weft.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.security.Security;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The JDK's own address cache under the system resolver, read as the JDK reads it. */
class JdkAddressCacheTest {

    private final String systemBefore = System.getProperty("sun.net.inetaddr.ttl");

    @AfterEach
    void restore() {
        if (systemBefore == null) {
            System.clearProperty("sun.net.inetaddr.ttl");
        } else {
            System.setProperty("sun.net.inetaddr.ttl", systemBefore);
        }
    }

    @Test
    void theSystemPropertySetsItWhenTheSecurityPropertyDoesNot() {
        assumeTrue(Security.getProperty("networkaddress.cache.ttl") == null,
                "this JDK's java.security sets networkaddress.cache.ttl, which wins over the system property");
        System.clearProperty("sun.net.inetaddr.ttl");
        assertEquals(JdkAddressCache.DEFAULT_SECONDS, JdkAddressCache.positiveSeconds(), "30 s when nothing says");
        System.setProperty("sun.net.inetaddr.ttl", "0");
        assertEquals(0, JdkAddressCache.positiveSeconds());
        System.setProperty("sun.net.inetaddr.ttl", "-5");
        assertEquals(-1, JdkAddressCache.positiveSeconds(), "any negative value is forever");
        System.setProperty("sun.net.inetaddr.ttl", "soon");
        assertEquals(JdkAddressCache.DEFAULT_SECONDS, JdkAddressCache.positiveSeconds(), "an unreadable value is ignored");
    }

    @Test
    void aCachingResolverOverTheSystemResolverSaysOnceThatTheJdkCachesToo() {
        assumeTrue(Security.getProperty("networkaddress.cache.ttl") == null, "the security property is set here");
        System.setProperty("sun.net.inetaddr.ttl", "0");
        assertEquals(false, CachingResolver.reportJdkCache("a", ResolverOptions.DEFAULTS), "no second cache: nothing to say");
        System.setProperty("sun.net.inetaddr.ttl", "30");
        boolean first = CachingResolver.reportJdkCache("b", ResolverOptions.DEFAULTS);
        assertEquals(false, CachingResolver.reportJdkCache("c", ResolverOptions.DEFAULTS), "said once per process at most");
        assumeTrue(first, "another test in this JVM had it said already");
    }
}
