package dev.weft.dns;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A nanosecond clock that moves only when a test says so; it starts two minutes before {@code long}
 * overflows, so every TTL test also proves that deadlines are compared overflow-safely.
 */
final class FakeClock implements LongSupplier {

    private final AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - Duration.ofMinutes(2).toNanos());

    @Override
    public long getAsLong() {
        return nanos.get();
    }

    void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }
}
