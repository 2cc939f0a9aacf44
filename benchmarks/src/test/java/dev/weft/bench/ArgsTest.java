package dev.weft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArgsTest {

    @Test
    void readsValuesAndSwitches() {
        Args a = Args.parse("echo", new String[] {"--port", "9000", "--raw"}, "--port", "--raw");
        assertEquals(9000, a.intValue("--port", 8888));
        assertTrue(a.flag("--raw"));
        assertFalse(a.flag("--other"));
    }

    @Test
    void fallsBackToDefaults() {
        Args a = Args.parse("echo", new String[0], "--port");
        assertEquals(8888, a.intValue("--port", 8888));
    }

    @Test
    void rejectsUnknownFlagsAndBadNumbers() {
        Args.UsageException unknown = assertThrows(Args.UsageException.class,
                () -> Args.parse("echo", new String[] {"--prot", "1"}, "--port"));
        assertEquals("echo: unknown option '--prot'", unknown.getMessage());
        Args a = Args.parse("echo", new String[] {"--port", "x"}, "--port");
        assertThrows(Args.UsageException.class, () -> a.intValue("--port", 1));
    }
}
