package dev.weft.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Names held per registry and kind: chosen ones refused when taken, default ones numbered. */
class MeterNamesTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void aDefaultNameThatIsTakenIsNumberedAndAChosenOneRefused() {
        MeterNames.Claim first = MeterNames.claim(registry, "server", "http", false);
        MeterNames.Claim second = MeterNames.claim(registry, "server", "http", false);
        MeterNames.Claim third = MeterNames.claim(registry, "server", "http", false);
        assertEquals(java.util.List.of("http", "http-2", "http-3"), java.util.List.of(first.name(), second.name(), third.name()));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MeterNames.claim(registry, "server", "http-2", true));
        assertTrue(e.getMessage().startsWith("a server named http-2 is already metered in this meter registry"), e.getMessage());

        second.close();
        assertEquals("http-2", MeterNames.claim(registry, "server", "http-2", true).name(), "given back on close");
        assertEquals("http", MeterNames.claim(registry, "connection pool", "http", true).name(), "kinds are apart");
        assertEquals("http", MeterNames.claim(new SimpleMeterRegistry(), "server", "http", true).name(), "registries too");
    }

    @Test
    void closingTwiceDoesNotGiveBackAnotherOnesName() {
        MeterNames.Claim a = MeterNames.claim(registry, "pool", "p", true);
        a.close();
        MeterNames.Claim b = MeterNames.claim(registry, "pool", "p", true);
        a.close();
        assertThrows(IllegalStateException.class, () -> MeterNames.claim(registry, "pool", "p", true), "b still holds it");
        b.close();
    }

    @Test
    void aClaimPassedOnIsTakenOverOnTheSameThreadOnly() throws Exception {
        MeterNames.Claim outer = MeterNames.claim(registry, "server", "web", true);
        outer.passOn();
        java.util.concurrent.atomic.AtomicReference<Object> seen = new java.util.concurrent.atomic.AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                seen.set(MeterNames.claim(registry, "server", "web", true));
            } catch (IllegalStateException e) {
                seen.set(e);
            }
        });
        other.join();
        assertTrue(seen.get() instanceof IllegalStateException, "another thread may not take it over: " + seen.get());
        MeterNames.Claim inner = MeterNames.claim(registry, "server", "web", true);
        outer.close();
        assertThrows(IllegalStateException.class, () -> MeterNames.claim(registry, "server", "web", true),
                "the inner part holds it now: closing the outer claim gave nothing back");
        inner.close();
        assertEquals("web", MeterNames.claim(registry, "server", "web", true).name());
    }
}
