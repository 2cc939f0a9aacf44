/**
 * Name resolution for Weft's clients and proxies: a one-method {@link dev.weft.dns.Resolver}, the
 * system default {@link dev.weft.dns.Resolver#system()}, and a {@link dev.weft.dns.CachingResolver}
 * adding TTLs, single-flight, stale-if-error, refresh-ahead and a lookup timeout.
 *
 * <p>Every type here is thread-safe. Lookups are blocking calls, meant for virtual threads: the
 * system resolver runs {@code getaddrinfo}, which blocks its thread in native code, on a small
 * bounded pool of platform threads, so a slow DNS server never holds a carrier of the virtual-thread
 * scheduler; the caller waits unmounted. A {@code CachingResolver} blocks only on a miss, at most for
 * its lookup timeout, and never holds a lock while it waits.
 */
package dev.weft.dns;
