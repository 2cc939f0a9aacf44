package dev.weft.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operating system's resolver, run on a small bounded pool of platform threads so that a
 * blocking {@code getaddrinfo} never holds a virtual thread's carrier.
 *
 * <p>Thread-safe. {@link #resolve} blocks its caller (unmounted, if virtual) until a pool thread has
 * the answer; a full queue fails at once. IP literals skip the pool: {@link InetAddress#getAllByName}
 * parses a literal without asking the name service.
 */
final class SystemResolver implements Resolver {

    /** Enough parallel lookups for a proxy's upstreams; more would only queue inside the DNS server. */
    static final int DEFAULT_THREADS = 4;
    /** A burst of distinct names waits here; beyond it, failing fast beats waiting behind a slow server. */
    static final int DEFAULT_QUEUED = 256;
    /** Idle pool threads end after this, so an unused resolver holds no threads. */
    private static final long KEEP_ALIVE_SECONDS = 30;

    /** Numbers the pools in thread names; declared before {@link #SHARED}, whose constructor reads it. */
    private static final AtomicInteger POOLS = new AtomicInteger();

    static final SystemResolver SHARED = new SystemResolver(DEFAULT_THREADS, DEFAULT_QUEUED, InetAddress::getAllByName);

    /** The blocking lookup itself; {@link InetAddress#getAllByName} outside tests. */
    @FunctionalInterface
    interface Lookup {
        InetAddress[] lookup(String host) throws UnknownHostException;
    }

    private final ThreadPoolExecutor executor;
    private final Lookup lookup;

    SystemResolver(int maxThreads, int maxQueued, Lookup lookup) {
        if (maxThreads < 1) {
            throw new IllegalArgumentException("maxThreads must be positive, was " + maxThreads);
        }
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be positive, was " + maxQueued);
        }
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        String prefix = "weft-dns-system-" + POOLS.incrementAndGet() + "-";
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(maxThreads, maxThreads, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(maxQueued),
                task -> Thread.ofPlatform().daemon().name(prefix + threads.incrementAndGet()).unstarted(task),
                new ThreadPoolExecutor.AbortPolicy());
        this.executor.allowCoreThreadTimeOut(true);
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            // InetAddress would answer "" with the loopback address: never what a caller meant.
            throw new UnknownHostException("empty host name");
        }
        if (isIpLiteral(host)) {
            return List.of(InetAddress.getAllByName(host));
        }
        Future<InetAddress[]> answer;
        try {
            answer = executor.submit(() -> lookup.lookup(host));
        } catch (RejectedExecutionException e) {
            throw new ResolverOverloadedException(host + ": not resolved, the system resolver is overloaded ("
                    + executor.getMaximumPoolSize() + " lookups running, " + queued() + " queued)");
        }
        return List.of(await(host, answer));
    }

    private static InetAddress[] await(String host, Future<InetAddress[]> answer) throws UnknownHostException {
        try {
            return answer.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException unknown) {
                throw unknown;
            }
            UnknownHostException failure = new UnknownHostException(host + ": lookup failed: " + e.getCause());
            failure.initCause(e.getCause());
            throw failure;
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new UnknownHostException(host + ": interrupted while waiting for the system resolver");
        }
    }

    /** Lookups waiting for a pool thread. */
    int queued() {
        return executor.getQueue().size();
    }

    /**
     * Whether {@link InetAddress#getAllByName} answers {@code host} without a lookup: a bracketed or
     * colon-bearing IPv6 literal (parsed or rejected, never looked up, when it starts with a hex
     * digit or a colon) or a dotted-quad IPv4 literal. Other numeric forms ({@code 127.1}) take the
     * pool, which is merely slower.
     */
    static boolean isIpLiteral(String host) {
        char first = host.charAt(0);
        if (first == '[') {
            return true;
        }
        if (host.indexOf(':') >= 0) {
            return first == ':' || Character.digit(first, 16) != -1;
        }
        return isDottedQuad(host);
    }

    private static boolean isDottedQuad(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }
}
