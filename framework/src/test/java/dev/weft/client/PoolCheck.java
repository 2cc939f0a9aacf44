package dev.weft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.client.PoolModel.Conn;
import dev.weft.client.PooledConnection.DestroyReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The invariants {@link PoolWalk} checks after every step: the pool's counts, its meters and every
 * connection agree with the {@link PoolModel}, the limits hold, and no connection is lent twice.
 */
final class PoolCheck {

    private record EndpointMeters(Gauge active, Gauge idle, Gauge pending, Counter created,
            Map<DestroyReason, Counter> destroyed, Timer waits) {
    }

    private final ConnectionPool pool;
    private final PoolModel model;
    private final MeterRegistry registry;
    private final List<Endpoint> endpoints;
    private final Map<Endpoint, EndpointMeters> meters = new HashMap<>();

    PoolCheck(ConnectionPool pool, PoolModel model, MeterRegistry registry, List<Endpoint> endpoints) {
        this.pool = pool;
        this.model = model;
        this.registry = registry;
        this.endpoints = endpoints;
    }

    /** Checks everything; {@code held} are the leases open now. */
    void check(String where, List<Lease> held) {
        PoolOptions options = pool.options();
        int total = 0;
        for (Endpoint e : endpoints) {
            int lent = model.lent(e);
            int idle = model.idle(e);
            total += lent + idle;
            String at = where + e + ": ";
            assertEquals(lent, pool.active(e), at + "lent");
            assertEquals(idle, pool.idle(e), at + "idle");
            assertTrue(lent + idle <= options.maxPerEndpoint(), at + "over maxPerEndpoint");
            assertTrue(idle <= options.maxIdlePerEndpoint(), at + "over maxIdlePerEndpoint");
            EndpointMeters m = meters(e);
            if (m == null) {
                assertEquals(0, model.created(e) + model.borrows(e), at + "no meters yet");
                continue;
            }
            assertEquals(lent, (long) m.active().value(), at + "the active gauge");
            assertEquals(idle, (long) m.idle().value(), at + "the idle gauge");
            assertEquals(0, (long) m.pending().value(), at + "pending");
            long created = (long) m.created().count();
            assertEquals(model.created(e), created, at + "created");
            long destroyed = 0;
            for (DestroyReason reason : DestroyReason.values()) {
                long n = (long) m.destroyed().get(reason).count();
                destroyed += n;
                assertEquals(model.destroyed(e, reason), n, at + "destroyed " + reason.tag());
            }
            assertEquals(created - destroyed, lent + idle, at + "created - destroyed is what is open");
            assertEquals(model.borrows(e), m.waits().count(), at + "borrows timed");
        }
        assertTrue(total <= options.maxTotal(), where + "over maxTotal: " + total);
        assertEquals(model.lentCount(), pool.active(), where + "lent in all");
        assertEquals(model.idleCount(), pool.idle(), where + "idle in all");
        assertEquals(held.size(), pool.leases().open(), where + "leases tracked");
        assertEquals(held.size(), model.lentCount(), where + "leases held");
        Map<PooledConnection, Lease> lentTo = new IdentityHashMap<>();
        for (Lease lease : held) {
            Conn c = model.of(lease.connection());
            assertNotNull(c, where + "a lease of a connection the pool never made");
            if (lentTo.put(lease.connection(), lease) != null) {
                fail(where + c + " is lent to two leases at once");
            }
            assertTrue(c.lent && c.real.isOpen(), where + "lent " + c);
        }
        for (Conn c : model.idleConnections()) {
            assertTrue(c.real.isOpen() && !c.lent && !lentTo.containsKey(c.real), where + "idle " + c);
        }
    }

    /** The meters of endpoint {@code e}, or null before its first use; they stay until the pool closes. */
    private EndpointMeters meters(Endpoint e) {
        EndpointMeters m = meters.get(e);
        if (m == null && registry.find("weft.pool.connections.created").tags(tags(e)).counter() != null) {
            Map<DestroyReason, Counter> destroyed = new EnumMap<>(DestroyReason.class);
            for (DestroyReason reason : DestroyReason.values()) {
                destroyed.put(reason, registry.get("weft.pool.connections.destroyed").tags(tags(e))
                        .tag("reason", reason.tag()).counter());
            }
            m = new EndpointMeters(registry.get("weft.pool.connections").tags(tags(e)).tag("state", "active").gauge(),
                    registry.get("weft.pool.connections").tags(tags(e)).tag("state", "idle").gauge(),
                    registry.get("weft.pool.pending").tags(tags(e)).gauge(),
                    registry.get("weft.pool.connections.created").tags(tags(e)).counter(), destroyed,
                    registry.get("weft.pool.borrow.wait").tags(tags(e)).timer());
            meters.put(e, m);
        }
        return m;
    }

    private Tags tags(Endpoint e) {
        return Tags.of("pool", pool.name(), "endpoint", e.toString());
    }

    /** Closes the pool with nothing lent: each idle connection is destroyed as closed, every connection made is closed, the meters go. */
    void closePool(String where) {
        assertEquals(0, pool.leases().open(), where + "leases open at the end");
        List<Counter> closedCounters = registry.find("weft.pool.connections.destroyed").tag("pool", pool.name())
                .tag("reason", "closed").counters().stream().toList();
        long idleAtClose = model.idleCount();
        pool.close();
        model.closed();
        assertEquals(idleAtClose, closedCounters.stream().mapToLong(c -> (long) c.count()).sum(), where + "closed by close()");
        for (Conn c : model.all()) {
            assertFalse(c.real.isOpen(), where + c + " open after the pool closed");
        }
        assertNull(registry.find("weft.pool.connections").tag("pool", pool.name()).gauge(), where + "meters removed");
    }
}
