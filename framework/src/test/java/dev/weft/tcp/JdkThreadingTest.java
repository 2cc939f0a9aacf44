package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JDK facts behind the carriers, release by release. Only 25 runs on these machines, so the
 * table below is what the sources of 21, 23 and 24 say (and, for 22 and 26, what is inferred);
 * {@code CarrierCallersTest} checks the running JDK's row against what its threads really do.
 */
class JdkThreadingTest {

    /** Per release from 21: unpark as carrier, submit pins, virtual pollers, monitors unmount, timer queues. */
    private static final List<boolean[]> TABLE = List.of(
            new boolean[] {true, false, false, false, false},   // 21
            new boolean[] {true, false, true, false, false},    // 22
            new boolean[] {true, false, true, false, false},    // 23
            new boolean[] {false, true, true, true, true},      // 24
            new boolean[] {false, true, true, true, true},      // 25
            new boolean[] {false, true, true, true, true});     // 26

    @Test
    void factsPerReleaseFrom21To26() {
        for (int i = 0; i < TABLE.size(); i++) {
            int feature = 21 + i;
            JdkThreading jdk = JdkThreading.of(Runtime.Version.parse(feature + ".0.1"));
            boolean[] row = TABLE.get(i);
            String where = "JDK " + feature + ": " + jdk;
            assertEquals(feature, jdk.feature(), where);
            assertEquals(row[0], jdk.unparkSubmitsAsCarrier(), where);
            assertEquals(row[1], jdk.submitPinsVirtualCaller(), where);
            assertEquals(row[2], jdk.jdkPollersAreVirtual(), where);
            assertEquals(row[3], jdk.monitorsUnmount(), where);
            assertEquals(row[4], jdk.timerQueues(), where);
            assertEquals("VirtualThread-unparker", jdk.timerThreadName(), where);
        }
    }

    @Test
    void everyReleaseSaysHowItsFactsWereLearned() {
        assertEquals("read in openjdk/jdk21u's java.lang.VirtualThread, not run",
                JdkThreading.of(Runtime.Version.parse("21.0.8")).evidence());
        assertTrue(JdkThreading.of(Runtime.Version.parse("22")).evidence().startsWith("inferred from 21 and 23"));
        assertEquals("read in OpenJ9's mirror of JDK 24's java.lang.VirtualThread, not run",
                JdkThreading.of(Runtime.Version.parse("24.0.2")).evidence());
        assertTrue(JdkThreading.of(Runtime.Version.parse("25.0.3")).evidence().startsWith("run on 25.0.3"));
        assertEquals("assumed to be as JDK 25, not checked",
                JdkThreading.of(Runtime.Version.parse("26-ea+5")).evidence());
    }

    @Test
    void onlyTheFeatureReleaseCountsAndBefore21IsRefused() {
        assertEquals(JdkThreading.of(Runtime.Version.parse("25")), JdkThreading.of(Runtime.Version.parse("25.0.3+9-LTS")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JdkThreading.of(Runtime.Version.parse("17.0.15")));
        assertEquals("Weft needs JDK 21 or newer; this is JDK 17", e.getMessage());
        assertEquals(Runtime.version().feature(), JdkThreading.current().feature());
    }
}
