package dev.weft.examples.lbdemo;

import dev.weft.client.ClientRequest;
import dev.weft.client.ClientResponse;
import dev.weft.client.ConnectionPool;
import dev.weft.client.HttpClient;
import dev.weft.client.PoolOptions;
import dev.weft.dns.Resolver;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo's clients: a few virtual threads, each sending {@code GET /} to the balancer one request
 * after another on a kept-alive connection (Weft's pooled {@link HttpClient}), until stopped. Each
 * answer is checked (status 200, and the body one of the backends' names) and counted by body and
 * by the {@link Phase} of the story it arrived in; anything else is a failed request.
 *
 * <p>Bounded: a fixed number of clients, each request within {@link #REQUEST_TIMEOUT}, at most
 * {@link #MAX_ANSWERS} distinct bodies counted. Thread-safe: the clients count, the demo's main
 * thread reads.
 */
final class Traffic implements AutoCloseable {

    /** The most one request may take, connect to last byte of the head. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Distinct bodies counted one by one; more (only with --config, whose servers may say anything) go to OTHER. */
    static final int MAX_ANSWERS = 16;
    static final String OTHER = "(other)";
    /** A client pauses this long after a failed request, so that a broken setup does not spin. */
    private static final Duration PAUSE_AFTER_FAILURE = Duration.ofMillis(50);

    /** Where the story is: each answer is counted in the phase it arrived in. */
    enum Phase { BEFORE_KILL, WHILE_DOWN, AFTER_REVIVAL }

    private final URI uri;
    private final Set<String> expected;
    private final ConnectionPool pool;
    private final HttpClient client;
    private final Map<String, LongAdder[]> answers = new ConcurrentHashMap<>();
    private final LongAdder failed = new LongAdder();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile Phase phase = Phase.BEFORE_KILL;
    private volatile boolean stopping;

    private Traffic(int port, int clients, Set<String> expected, MeterRegistry registry) {
        this.uri = URI.create("http://127.0.0.1:" + port + "/");
        this.expected = Set.copyOf(expected);
        this.pool = new ConnectionPool("lb-demo-clients", PoolOptions.DEFAULTS.withMaxPerEndpoint(clients),
                Resolver.system(), registry);
        this.client = new HttpClient(pool, REQUEST_TIMEOUT);
    }

    /**
     * Starts {@code clients} clients sending to {@code 127.0.0.1:port}; {@code expected} are the
     * bodies that count as right (empty: any body of a 200).
     */
    static Traffic start(int port, int clients, Set<String> expected, MeterRegistry registry) {
        Traffic t = new Traffic(port, clients, expected, registry);
        for (int i = 1; i <= clients; i++) {
            t.threads.add(Thread.ofVirtual().name("lb-demo-client-" + i).start(t::client));
        }
        return t;
    }

    private void client() {
        while (!stopping) {
            String failure;
            try (ClientResponse r = client.send(ClientRequest.get(uri))) {
                String body = r.bodyAsString();
                if (r.status() == 200 && (expected.isEmpty() || expected.contains(body))) {
                    count(abbreviate(body));
                    continue;
                }
                failure = "status " + r.status() + ", answer \"" + abbreviate(body) + "\"";
            } catch (IOException e) {
                failure = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            }
            failed.increment();
            firstFailure.compareAndSet(null, failure);
            try {
                Thread.sleep(PAUSE_AFTER_FAILURE);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void count(String body) {
        String key = answers.containsKey(body) || answers.size() < MAX_ANSWERS ? body : OTHER;
        answers.computeIfAbsent(key, k -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()})
                [phase.ordinal()].increment();
    }

    private static String abbreviate(String body) {
        String line = body.strip().replaceAll("\\s+", " ");
        return line.length() <= 40 ? line : line.substring(0, 40) + "...";
    }

    /** From now on answers count in {@code value}. */
    void phase(Phase value) {
        phase = value;
    }

    Phase phase() {
        return phase;
    }

    /** Answers with {@code body} in {@code p}. */
    long answered(String body, Phase p) {
        LongAdder[] counts = answers.get(body);
        return counts == null ? 0 : counts[p.ordinal()].sum();
    }

    /** Answers with {@code body}, in all phases. */
    long answered(String body) {
        long sum = 0;
        for (Phase p : Phase.values()) {
            sum += answered(body, p);
        }
        return sum;
    }

    /** The bodies answered so far, sorted. */
    List<String> bodies() {
        return List.copyOf(new TreeMap<>(answers).keySet());
    }

    /** Requests answered right so far. */
    long answered() {
        long sum = 0;
        for (String body : answers.keySet()) {
            sum += answered(body);
        }
        return sum;
    }

    /** Requests that failed so far: an exception, a status other than 200, or an unexpected body. */
    long failed() {
        return failed.sum();
    }

    /** What the first failed request got, or null if none failed. */
    String firstFailure() {
        return firstFailure.get();
    }

    /** Asks the clients to stop and waits for their last requests (each within the request timeout). */
    void stop() throws InterruptedException {
        stopping = true;
        for (Thread t : threads) {
            if (!t.join(REQUEST_TIMEOUT.plusSeconds(1))) {
                t.interrupt();
            }
        }
    }

    /** Stops the clients, then closes their connections. */
    @Override
    public void close() throws InterruptedException {
        try {
            stop();
        } finally {
            pool.close();
        }
    }
}
