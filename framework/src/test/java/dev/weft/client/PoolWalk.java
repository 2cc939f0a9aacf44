package dev.weft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.client.PoolModel.Conn;
import dev.weft.client.PoolModel.Discard;
import dev.weft.client.PoolModel.Outcome;
import dev.weft.client.PoolModel.Plan;
import dev.weft.tcp.Connection;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * One seeded random walk over a {@link ConnectionPool} for {@link ConnectionPoolPropertyTest}: each
 * step borrows, exchanges, returns, breaks, has a server close, reset or write to a connection, runs
 * the evictor or moves the fake clock, and the pool is then checked against its {@link PoolModel}.
 * Every failure message starts with the seed and the step.
 */
final class PoolWalk {

    /** A lease the walk holds, and the connection it was lent. */
    private record Held(Lease lease, Conn conn) {
    }

    /** What the servers do to a connection of their own accord. */
    private enum ServerAct { CLOSE, RESET, WRITE }

    private final String seedText;
    private final RandomGenerator random;
    private final ConnectionPool pool;
    private final PoolModel model;
    private final AtomicLong clock;
    private final List<Endpoint> live;
    private final Endpoint refusing;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final Map<Long, Connection> serverSide;
    private final List<Held> held = new ArrayList<>();
    /** The leases the walk broke (marked, reset, half-closed, or an exchange failed): each must say so. */
    private final Set<Lease> broken = new HashSet<>();
    /** The last few leases closed, to close again. */
    private final List<Lease> closed = new ArrayList<>();
    private final PoolCheck check;
    private final Map<String, Integer> seen = new java.util.TreeMap<>();
    private int step;

    /**
     * @param serverSide the servers' connections by {@link #key(int, int)} of their port and the client's
     * @param live       the servers' endpoints
     * @param refusing   an endpoint whose connects are refused
     */
    PoolWalk(String seedText, RandomGenerator random, ConnectionPool pool, AtomicLong clock, List<Endpoint> live,
            Endpoint refusing, Map<Long, Connection> serverSide, MeterRegistry registry) {
        this.seedText = seedText;
        this.random = random;
        this.pool = pool;
        this.clock = clock;
        this.live = live;
        this.refusing = refusing;
        this.endpoints.addAll(live);
        this.endpoints.add(refusing);
        this.serverSide = serverSide;
        this.model = new PoolModel(pool.options(), clock::get, Set.of(refusing));
        this.check = new PoolCheck(pool, model, registry, endpoints);
    }

    static long key(int serverPort, int clientPort) {
        return (long) serverPort << 16 | clientPort;
    }

    /** Runs {@code steps} steps, then uses, returns and closes everything; returns how often each thing happened. */
    Map<String, Integer> run(int steps) throws Exception {
        try {
            walk(steps);
        } finally {
            held.forEach(h -> h.lease().close()); // a failed walk leaves no socket to the leak check
        }
        return seen;
    }

    private void walk(int steps) throws Exception {
        for (step = 0; step < steps; step++) {
            int action = random.nextInt(100);
            if (action < 22 || held.isEmpty() && action < 71) {
                acquire(action % 5 == 0);
            } else if (action < 40) {
                exchange(held.get(random.nextInt(held.size())));
            } else if (action < 60) {
                giveBack(held.remove(random.nextInt(held.size())));
            } else if (action < 71) {
                breakAndGiveBack(held.remove(random.nextInt(held.size())));
            } else if (action < 80) {
                serverActs();
            } else if (action < 85) {
                evict();
            } else if (action < 88 && !closed.isEmpty()) {
                closed.get(random.nextInt(closed.size())).close(); // long after: does nothing, whoever has its connection now
            } else {
                long millis = random.nextInt(8) == 0 ? random.nextInt(6_000) : random.nextInt(1_500);
                clock.addAndGet(Duration.ofMillis(millis).toNanos());
            }
            if (step % 25 == 0) {
                for (Held h : List.copyOf(held)) {
                    exchange(h);
                }
            }
            check();
        }
        step = steps;
        for (Held h : List.copyOf(held)) {
            exchange(h);
            held.remove(h);
            giveBack(h);
        }
        check();
        assertEquals(0, pool.active(), where() + "every lease closed");
        check.closePool(where());
    }

    private void check() {
        check.check(where(), held.stream().map(Held::lease).toList());
    }

    private String where() {
        return seedText + ", step " + step + ": ";
    }

    private void saw(String what) {
        seen.merge(what, 1, Integer::sum);
    }

    private void acquire(boolean fresh) throws Exception {
        Endpoint e = random.nextInt(12) == 0 ? refusing : live.get(random.nextInt(live.size()));
        Plan plan = model.plan(e, fresh);
        Set<Conn> oldest = plan.clearsOldest() > 0 ? model.oldestCandidates(plan.discarded()) : Set.of();
        List<Conn> idleBefore = model.idleConnections();
        String what = where() + (fresh ? "acquireFresh(" : "acquire(") + e + ") planned " + plan + ": ";
        Lease lease = null;
        IOException failure = null;
        try {
            lease = fresh ? pool.acquireFresh(e) : pool.acquire(e);
        } catch (IOException x) {
            failure = x;
        }
        saw(plan.outcome().toString());
        Conn made = null;
        switch (plan.outcome()) {
            case LEND -> {
                assertNotNull(lease, what + failure);
                assertSame(plan.lent().real, lease.connection(), what + "not the most recently returned usable connection");
                assertTrue(lease.isReused(), what);
                if (plan.lent().dead()) {
                    saw("lent unchecked, dead"); // idle less than validateAfterIdle: not probed (the design's one failure)
                }
            }
            case NEW, FRESH -> {
                assertNotNull(lease, what + failure);
                assertNull(model.of(lease.connection()), what + "a new connection, not " + model.of(lease.connection()));
                assertEquals(plan.outcome() == Outcome.FRESH, lease.isReused(), what + "isReused");
                made = new Conn(lease.connection(), e, lease.localAddress().getPort(), clock.get());
            }
            case EXHAUSTED -> {
                PoolExhaustedException x = assertInstanceOf(PoolExhaustedException.class, failure, what);
                assertEquals(e, x.endpoint(), what);
                assertTrue(x.getMessage().contains(model.lent(e) + " lent of at most " + pool.options().maxPerEndpoint()
                        + ", 0 idle, 0 waiting"), what + x.getMessage());
            }
            case REFUSED -> {
                assertNotNull(failure, what + "connected to a refusing endpoint");
                assertFalse(failure instanceof PoolExhaustedException, what + failure);
                assertTrue(failure.getMessage().contains(e.toString()), what + failure.getMessage());
            }
            default -> fail(what);
        }
        for (Discard d : plan.discarded()) {
            assertFalse(d.conn().real.isOpen(), what + d + " was not closed");
            saw("discarded on borrow " + d.reason());
        }
        List<Conn> cleared = new ArrayList<>();
        for (Conn c : idleBefore) {
            if (!c.real.isOpen() && plan.discarded().stream().noneMatch(d -> d.conn() == c)) {
                cleared.add(c);
            }
        }
        assertEquals(plan.clearsOldest(), cleared.size(), what + "closed to make room: " + cleared);
        assertTrue(oldest.containsAll(cleared), what + cleared + " closed to make room, not the oldest idle " + oldest);
        if (!cleared.isEmpty()) {
            saw("cleared oldest for room, then " + plan.outcome());
        }
        model.borrowed(e, plan, cleared, made);
        if (lease != null) {
            held.add(new Held(lease, model.of(lease.connection())));
        }
    }

    /** A line there and back; on a connection the server closed, reset or wrote to, it must fail (and the lease is broken). */
    private void exchange(Held h) {
        String text = "s" + step + "-" + h.conn().localPort;
        String what = where() + "exchange on " + h.conn() + ": ";
        String reply = null;
        IOException failure = null;
        try {
            reply = exchange(h.lease(), text);
        } catch (IOException x) {
            failure = x;
        }
        if (!h.conn().dead()) {
            assertNull(failure, what + failure);
            assertEquals(text, reply, what);
            assertEquals(broken.contains(h.lease()), h.lease().isBroken(), what);
            return;
        }
        assertTrue(failure != null || !text.equals(reply), what + "the echo came back");
        if (failure != null) {
            assertTrue(h.lease().isBroken(), what + "an I/O failure breaks the lease");
        } else {
            h.lease().markBroken(); // what a protocol does with an answer it did not expect
        }
        broken.add(h.lease());
        saw("exchange failed as planned");
    }

    private void giveBack(Held h) {
        Instant from = Instant.now();
        h.lease().close();
        Instant to = Instant.now();
        if (random.nextInt(10) == 0) {
            h.lease().close(); // does nothing: close is idempotent
        }
        closed.add(h.lease());
        if (closed.size() > 8) {
            closed.remove(0);
        }
        boolean wasBroken = broken.remove(h.lease());
        assertEquals(wasBroken, h.lease().isBroken(), where() + "isBroken of " + h.conn());
        boolean kept = !wasBroken && model.idle(h.conn().endpoint) < pool.options().maxIdlePerEndpoint();
        model.returned(h.conn(), wasBroken, from, to);
        assertEquals(kept, h.conn().real.isOpen(), where() + "returned " + h.conn() + (wasBroken ? " broken" : ""));
        saw(wasBroken ? "returned broken" : kept ? "returned" : "returned over maxIdle");
    }

    private void breakAndGiveBack(Held h) throws IOException {
        int how = random.nextInt(4);
        if (how == 0 && !h.conn().dead()) {
            h.lease().out().write("reset\n".getBytes(StandardCharsets.US_ASCII)); // the server answers with a reset
            try {
                int b = h.lease().in().read();
                fail(where() + "read " + b + " after the server reset " + h.conn());
            } catch (IOException expected) {
                assertTrue(h.lease().isBroken(), where() + "a reset breaks the lease");
            }
        } else if (how == 1) {
            h.lease().reset();
        } else if (how == 2) {
            h.lease().shutdownOutput();
        } else {
            h.lease().markBroken();
        }
        broken.add(h.lease());
        giveBack(h);
    }

    /** A server closes, resets or writes to one of the connections (idle or lent) that is still fine. */
    private void serverActs() throws IOException {
        List<Conn> fine = new ArrayList<>();
        model.idleConnections().stream().filter(c -> !c.dead()).forEach(fine::add);
        held.stream().map(Held::conn).filter(c -> !c.dead()).forEach(fine::add);
        if (fine.isEmpty()) {
            return;
        }
        Conn c = fine.get(random.nextInt(fine.size()));
        ServerAct act = ServerAct.values()[random.nextInt(ServerAct.values().length)];
        long key = key(c.endpoint.port(), c.localPort);
        String what = where() + "server " + act + " on " + c + ": ";
        Connection s = serverSide.get(key);
        if (s == null) {
            s = waitFor(what, () -> serverSide.get(key)); // lent at once: its server thread may not have begun
        }
        // Each waits until the kernel has it on the client's side, without taking it: the pool's
        // check must see what arrived, no more and no less.
        switch (act) {
            case CLOSE -> {
                s.close();
                assertEquals(-1, c.real.in().read(), what + "end of stream"); // waits for the FIN; stays for the next read
            }
            case RESET -> {
                s.setOption(StandardSocketOptions.SO_LINGER, 0);
                s.close(); // the server's thread, woken, closes the socket: then the reset leaves
                Connection closing = s;
                waitFor(what, () -> serverSide.get(key) != closing ? "ended" : null);
                waitFor(what, () -> { // a read would take the reset (and give end of stream after it)
                    TcpTable.Socket socket = TcpTable.find(c.localPort, c.endpoint.port());
                    return socket == null || !socket.established() ? "reset" : null;
                });
            }
            case WRITE -> {
                s.out().write("junk\n".getBytes(StandardCharsets.US_ASCII));
                waitFor(what, () -> c.real.in().available() > 0 ? "arrived" : null);
            }
            default -> fail(what);
        }
        if (act == ServerAct.WRITE) {
            c.unexpectedData = true;
        } else {
            c.closedByServer = true;
        }
        saw("server " + act + (c.lent ? " (lent)" : " (idle)"));
    }

    /** Sends {@code text} and a newline, reads as many bytes back. */
    static String exchange(Lease lease, String text) throws IOException {
        lease.out().write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        return new String(lease.in().readNBytes(text.length() + 1), StandardCharsets.US_ASCII).trim();
    }

    /** {@code value} once it is not null, waiting up to 10 s (Awaitility only if it is not there at once). */
    private static <T> T waitFor(String what, java.util.concurrent.Callable<T> value) throws IOException {
        try {
            T now = value.call();
            if (now != null) {
                return now;
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return await().alias(what).atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1)).until(value, v -> v != null);
    }

    private void evict() throws Exception {
        List<Discard> evictable = model.evictable();
        List<Conn> idleBefore = model.idleConnections();
        pool.evict();
        for (Conn c : idleBefore) {
            Discard d = evictable.stream().filter(x -> x.conn() == c).findFirst().orElse(null);
            if (d == null) {
                assertTrue(c.real.isOpen(), where() + "the evictor closed " + c + ", which was fine");
            } else if (!c.real.isOpen()) {
                model.evicted(d);
                saw("evicted " + d.reason());
            } else {
                saw("evictor left for later " + d.reason());
            }
        }
        saw("evictor ran");
    }
}
