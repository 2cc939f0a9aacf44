package dev.weft.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One cached answer for a name: its addresses, or the message of an "unknown host", with the
 * deadlines that decide how it may be served.
 *
 * <p>Immutable but for the one-shot refresh claim; safe to share. Times are {@code nanoTime}-style
 * readings of the resolver's clock, compared by subtraction so that any origin works.
 */
final class CacheEntry {

    /** The answer, {@code null} for a negative entry. */
    private final List<InetAddress> addresses;
    /** The backend's message for a negative entry, {@code null} otherwise. */
    private final String failure;
    private final long freshUntil;
    private final long refreshFrom;
    private final long staleUntil;
    /** Before this, a failed lookup is recent enough that a stale answer is served without asking. */
    private final long retryAt;
    private final AtomicBoolean refreshClaimed = new AtomicBoolean();

    private CacheEntry(List<InetAddress> addresses, String failure, long freshUntil, long refreshFrom,
            long staleUntil, long retryAt) {
        this.addresses = addresses;
        this.failure = failure;
        this.freshUntil = freshUntil;
        this.refreshFrom = refreshFrom;
        this.staleUntil = staleUntil;
        this.retryAt = retryAt;
    }

    static CacheEntry positive(List<InetAddress> addresses, long now, ResolverOptions options) {
        long ttl = options.positiveTtl().toNanos();
        long refreshFrom = now + ttl - (long) (ttl * options.refreshAheadFraction());
        return new CacheEntry(addresses, null, now + ttl, refreshFrom, now + ttl + options.staleIfError().toNanos(),
                now);
    }

    static CacheEntry negative(String failure, long now, ResolverOptions options) {
        long until = now + options.negativeTtl().toNanos();
        return new CacheEntry(null, failure, until, until, until, now);
    }

    /** A copy that serves its stale answer without asking the backend until {@code at}. */
    CacheEntry retryAfter(long at) {
        return new CacheEntry(addresses, failure, freshUntil, refreshFrom, staleUntil, at);
    }

    boolean isNegative() {
        return addresses == null;
    }

    List<InetAddress> addresses() {
        return addresses;
    }

    boolean isFresh(long now) {
        return now - freshUntil < 0;
    }

    /** Whether {@code now} falls in the last part of the TTL, where use triggers a refresh. */
    boolean inRefreshWindow(long now) {
        return now - refreshFrom >= 0 && isFresh(now);
    }

    /** Whether this answer may still stand in for a failed lookup. */
    boolean canServeStale(long now) {
        return !isNegative() && now - staleUntil < 0;
    }

    /** Whether a lookup failed so recently that asking again now would be pointless. */
    boolean inRetryBackoff(long now) {
        return now - retryAt < 0;
    }

    /** True for exactly one caller: the one that starts this entry's refresh-ahead. */
    boolean claimRefresh() {
        return refreshClaimed.compareAndSet(false, true);
    }

    /** A fresh exception for a cached "unknown host", so each caller gets its own stack trace. */
    UnknownHostException cachedFailure(String host, long now) {
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(freshUntil - now));
        return new UnknownHostException(host + ": unknown host (cached negative answer, " + left
                + " ms left): " + failure);
    }
}
