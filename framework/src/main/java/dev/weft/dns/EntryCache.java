package dev.weft.dns;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * The bounded name-to-entry map of a {@link CachingResolver}, dropping the least recently used name
 * when full.
 *
 * <p>Thread-safe: one {@link ReentrantLock} guards an access-ordered {@link LinkedHashMap} (whose
 * {@code get} reorders, so even reads need it). The lock is held for a map operation only, never
 * across a lookup or other blocking call.
 */
final class EntryCache {

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, CacheEntry> entries;

    EntryCache(int maxNames, Runnable onEviction) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CacheEntry> eldest) {
                boolean evict = size() > maxNames;
                if (evict) {
                    onEviction.run();
                }
                return evict;
            }
        };
    }

    /** The entry for {@code name}, marking it recently used; {@code null} if absent. */
    CacheEntry get(String name) {
        lock.lock();
        try {
            return entries.get(name);
        } finally {
            lock.unlock();
        }
    }

    void put(String name, CacheEntry entry) {
        lock.lock();
        try {
            entries.put(name, entry);
        } finally {
            lock.unlock();
        }
    }

    /** Replaces the entry for {@code name} (given {@code null} when absent) with what {@code change} returns. */
    void update(String name, UnaryOperator<CacheEntry> change) {
        lock.lock();
        try {
            entries.compute(name, (key, old) -> change.apply(old));
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }
}
