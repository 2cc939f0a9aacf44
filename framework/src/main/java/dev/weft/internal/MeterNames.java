package dev.weft.internal;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The names that metered things (servers, pools, resolvers, proxies) hold on each meter registry.
 * Micrometer hands back the existing meter when one with the same name and tags is registered
 * again, so two servers tagged {@code server=http} on one registry would share gauges bound to the
 * first, and closing either would remove both. Each one claims its name here first: a name its
 * user chose that is taken is refused; a default name that is taken becomes the first free
 * {@code name-2}, {@code name-3}, ... (two servers built without names just work, each with its own
 * meters).
 *
 * <p>A thing built on another that claims the same kind of name (an HTTP server on its TCP server)
 * {@link Claim#passOn passes its claim on}: the next claim of that name on the same thread takes it
 * over instead of being refused.
 *
 * <p>Not exported by the module: for Weft's own packages.
 */
public final class MeterNames {

    private static final ReentrantLock LOCK = new ReentrantLock();
    /** Per registry (weakly: a registry its user dropped is forgotten), per kind, the claims held by name. */
    private static final Map<MeterRegistry, Map<String, Map<String, Claim>>> HELD = new WeakHashMap<>();

    private MeterNames() {
    }

    /** A name held on one registry until {@link #close}. */
    public static final class Claim implements AutoCloseable {
        private final Map<String, Claim> held;
        private final String name;
        private Thread heir;
        private boolean released;

        private Claim(Map<String, Claim> held, String name) {
            this.held = held;
            this.name = name;
        }

        /** The name to tag the meters with. */
        public String name() {
            return name;
        }

        /**
         * Lets the next claim of this name on this thread (the part this one is built on) take it
         * over; once it has, this claim holds nothing and closing it does nothing (before, closing
         * it gives the name back: the part was never built).
         */
        public void passOn() {
            LOCK.lock();
            try {
                heir = Thread.currentThread();
            } finally {
                LOCK.unlock();
            }
        }

        /** Gives the name back, unless it was taken over; later calls do nothing. */
        @Override
        public void close() {
            LOCK.lock();
            try {
                if (!released && held.get(name) == this) {
                    held.remove(name);
                }
                released = true;
            } finally {
                LOCK.unlock();
            }
        }
    }

    /**
     * Claims {@code name} for a {@code kind} of thing ({@code "server"}, {@code "connection pool"}, ...).
     *
     * @param chosen whether the user gave the name (refused when taken) or it is a default (numbered when taken)
     * @throws IllegalStateException if {@code chosen} and another one holds the name
     */
    public static Claim claim(MeterRegistry registry, String kind, String name, boolean chosen) {
        LOCK.lock();
        try {
            Map<String, Claim> held = HELD.computeIfAbsent(registry, r -> new HashMap<>())
                    .computeIfAbsent(kind, k -> new HashMap<>());
            Claim holder = held.get(name);
            if (holder == null || holder.heir == Thread.currentThread()) {
                Claim claim = new Claim(held, name);
                held.put(name, claim);
                return claim;
            }
            if (chosen) {
                throw new IllegalStateException("a " + kind + " named " + name + " is already metered in this meter"
                        + " registry: close it first, or give this one another name");
            }
            for (int n = 2; ; n++) {
                String numbered = name + "-" + n;
                if (!held.containsKey(numbered)) {
                    Claim claim = new Claim(held, numbered);
                    held.put(numbered, claim);
                    return claim;
                }
            }
        } finally {
            LOCK.unlock();
        }
    }
}
