package dev.weft.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into the addresses to connect to: Weft's one seam for DNS.
 *
 * <p>Implementations must be safe for concurrent use by any number of threads, virtual or not.
 * {@link #resolve(String)} blocks its caller until it has an answer or a failure; it never returns
 * an empty list. Wrap a resolver in a {@link CachingResolver} to add TTLs, single-flight, stale
 * answers and a lookup timeout:
 *
 * <pre>{@code
 * Resolver dns = new CachingResolver("upstreams", Resolver.system(), ResolverOptions.DEFAULTS, registry);
 * List<InetAddress> addresses = dns.resolve("backend.internal");
 * }</pre>
 */
@FunctionalInterface
public interface Resolver {

    /**
     * Returns the addresses of {@code host}, in the order they should be tried.
     *
     * @param host a host name or an IP literal, not {@code null}
     * @return an immutable, non-empty list
     * @throws UnknownHostException if the name does not resolve, or the lookup failed, timed out or
     *     was refused; the message names the host and the reason
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * The operating system's resolver ({@link InetAddress#getAllByName}, that is {@code getaddrinfo}),
     * run on a shared pool of 4 platform threads with at most 256 lookups
     * waiting.
     *
     * <p>{@code getaddrinfo} is a native call that blocks the thread running it; on a virtual
     * thread it would hold a carrier of the scheduler for as long as a slow DNS server takes. The
     * pool keeps that off the carriers: the virtual thread waits for the pool's answer, unmounted.
     * IP literals are parsed on the calling thread. When the queue is full the lookup fails at once
     * with an {@link UnknownHostException} saying the resolver is overloaded. There is no timeout
     * here beyond the system's own ({@code options timeout/attempts} in {@code resolv.conf}); a
     * {@link CachingResolver} adds one. The JDK also caches answers itself
     * ({@code networkaddress.cache.ttl}, 30 s by default).
     */
    static Resolver system() {
        return SystemResolver.SHARED;
    }

    /**
     * Like {@link #system()}, on a pool of its own with {@code maxThreads} threads and at most
     * {@code maxQueued} lookups waiting. Idle threads end after a while, so an unused resolver costs
     * nothing.
     */
    static Resolver system(int maxThreads, int maxQueued) {
        return new SystemResolver(maxThreads, maxQueued, InetAddress::getAllByName);
    }
}
