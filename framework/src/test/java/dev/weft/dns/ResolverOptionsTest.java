package dev.weft.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The defaults of {@link ResolverOptions}, pinned so they cannot drift, and its checks. */
class ResolverOptionsTest {

    @Test
    void defaultsArePinned() {
        ResolverOptions d = ResolverOptions.DEFAULTS;

        assertEquals(Duration.ofSeconds(30), d.positiveTtl());
        assertEquals(Duration.ofSeconds(10), d.negativeTtl());
        assertEquals(Duration.ofMinutes(5), d.staleIfError());
        assertEquals(Duration.ofSeconds(5), d.lookupTimeout());
        assertEquals(10_000, d.maxNames());
        assertEquals(0.2, d.refreshAheadFraction());
        assertEquals(4, SystemResolver.DEFAULT_THREADS);
        assertEquals(256, SystemResolver.DEFAULT_QUEUED);
    }

    @Test
    void eachCopyChangesOneField() {
        ResolverOptions d = ResolverOptions.DEFAULTS;
        Duration one = Duration.ofSeconds(1);

        assertEquals(new ResolverOptions(one, d.negativeTtl(), d.staleIfError(), d.lookupTimeout(), d.maxNames(),
                d.refreshAheadFraction()), d.withPositiveTtl(one));
        assertEquals(new ResolverOptions(d.positiveTtl(), one, d.staleIfError(), d.lookupTimeout(), d.maxNames(),
                d.refreshAheadFraction()), d.withNegativeTtl(one));
        assertEquals(new ResolverOptions(d.positiveTtl(), d.negativeTtl(), one, d.lookupTimeout(), d.maxNames(),
                d.refreshAheadFraction()), d.withStaleIfError(one));
        assertEquals(new ResolverOptions(d.positiveTtl(), d.negativeTtl(), d.staleIfError(), one, d.maxNames(),
                d.refreshAheadFraction()), d.withLookupTimeout(one));
        assertEquals(new ResolverOptions(d.positiveTtl(), d.negativeTtl(), d.staleIfError(), d.lookupTimeout(), 7,
                d.refreshAheadFraction()), d.withMaxNames(7));
        assertEquals(new ResolverOptions(d.positiveTtl(), d.negativeTtl(), d.staleIfError(), d.lookupTimeout(),
                d.maxNames(), 0.5), d.withRefreshAheadFraction(0.5));
    }

    @Test
    void rejectsValuesOutOfRange() {
        ResolverOptions d = ResolverOptions.DEFAULTS;

        assertThrows(IllegalArgumentException.class, () -> d.withPositiveTtl(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> d.withLookupTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> d.withNegativeTtl(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> d.withStaleIfError(Duration.ofDays(366)));
        assertThrows(NullPointerException.class, () -> d.withStaleIfError(null));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxNames(0));
        assertThrows(IllegalArgumentException.class, () -> d.withRefreshAheadFraction(1));
        assertThrows(IllegalArgumentException.class, () -> d.withRefreshAheadFraction(-0.1));
        assertThrows(IllegalArgumentException.class, () -> d.withRefreshAheadFraction(Double.NaN));
        // zero is allowed where it means "off"
        assertEquals(Duration.ZERO, d.withNegativeTtl(Duration.ZERO).negativeTtl());
        assertEquals(Duration.ZERO, d.withStaleIfError(Duration.ZERO).staleIfError());
        assertEquals(0, d.withRefreshAheadFraction(0).refreshAheadFraction());
    }
}
