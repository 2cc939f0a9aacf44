package dev.weft.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted {@link Resolver} for tests: answers from a map ("unknown host" otherwise), counts its
 * queries, holds them on a latch on request, and fails them with a given exception.
 */
final class FakeBackend implements Resolver {

    private final Map<String, List<InetAddress>> answers = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    private volatile CountDownLatch gate;
    private volatile Exception failure;

    /** Makes {@code host} resolve to {@code addresses} (IP literals) from now on. */
    FakeBackend answer(String host, String... addresses) {
        answers.put(host, Arrays.stream(addresses).map(FakeBackend::ip).toList());
        return this;
    }

    /** Makes {@code host} resolve to an empty list, which no resolver may return. */
    void answerNothing(String host) {
        answers.put(host, List.of());
    }

    /** Makes every query throw {@code e} (an {@link UnknownHostException} or a runtime exception). */
    void failWith(Exception e) {
        failure = e;
    }

    /** Queries from now on wait until {@link #release()} (or their thread is interrupted). */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch held = gate;
        gate = null;
        if (held != null) {
            held.countDown();
        }
    }

    /** Queries started, counted on entry (before any hold). */
    int queries() {
        return queries.get();
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        queries.incrementAndGet();
        CountDownLatch held = gate;
        if (held != null) {
            try {
                held.await();
            } catch (InterruptedException e) {
                throw new UnknownHostException(host + ": interrupted");
            }
        }
        Exception e = failure;
        if (e instanceof UnknownHostException unknown) {
            throw unknown;
        }
        if (e instanceof RuntimeException runtime) {
            throw runtime;
        }
        List<InetAddress> answer = answers.get(host);
        if (answer == null) {
            throw new UnknownHostException(host + ": Name or service not known");
        }
        return answer;
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
