package dev.weft.client;

import dev.weft.dns.Resolver;
import dev.weft.internal.BackgroundThreads;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A lookup bounded by a deadline. {@link Resolver#resolve} takes no timeout (the system resolver
 * waits as long as {@code resolv.conf} says; a {@link dev.weft.dns.CachingResolver} has its own), so
 * it runs on a virtual thread of its own while the caller waits at most what is left; past that the
 * lookup is interrupted and left to end by itself (a system lookup already running cannot be
 * stopped; its answer, if it comes, is dropped, or cached by a caching resolver). Only new
 * connections of an exchange with a deadline come here: one virtual thread per connect.
 */
final class Lookup {

    private Lookup() {
    }

    static List<InetAddress> resolve(Resolver resolver, String host, Deadline deadline) throws IOException {
        if (deadline.passed()) {
            throw new DeadlineExceededException(HttpClientException.Phase.LOOKUP, "no time left to resolve " + host);
        }
        FutureTask<List<InetAddress>> lookup = new FutureTask<>(() -> resolver.resolve(host));
        Thread thread = BackgroundThreads.builder().name("weft-lookup-" + host).start(lookup);
        try {
            return lookup.get(Math.max(1, deadline.leftNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new DeadlineExceededException(HttpClientException.Phase.LOOKUP, "resolving " + host
                    + " cut off at the deadline");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnknownHostException unknown) {
                throw unknown;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            UnknownHostException failure = new UnknownHostException(host + ": lookup failed: " + cause);
            failure.initCause(cause);
            throw failure;
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while resolving " + host);
        }
    }
}
