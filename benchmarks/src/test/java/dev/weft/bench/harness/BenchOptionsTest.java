package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.Args;
import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench command line, its scenarios, and the README section it rewrites. */
class BenchOptionsTest {

    @Test
    void theFullRunAlternatesEveryServerThroughEveryScenario() {
        BenchOptions o = BenchOptions.parse(new String[0]);
        assertEquals(3, o.repetitions());
        List<Scenario> s = o.scenarios(true);
        // echo: 3 closed + 1 open; HTTP: 3 closed + 1 open + wrk
        assertEquals(9, s.size());
        assertEquals(5, s.get(0).servers().size());
        assertEquals(Protocol.HTTP, s.get(8).protocol());
        assertEquals(Scenario.Tool.WRK, s.get(8).tool());
        assertEquals(8, o.scenarios(false).size());
        assertEquals(20_000, s.get(3).rate());
        assertEquals(10_000, s.get(3).connections());
    }

    @Test
    void eachRepetitionRotatesTheServerOrderSoNoServerAlwaysRunsFirst() {
        Scenario s = BenchOptions.parse(new String[0]).scenarios(true).get(0);
        List<ServerKind> a = s.servers();
        assertEquals(a, s.serversIn(1));
        assertEquals(List.of(a.get(1), a.get(2), a.get(3), a.get(4), a.get(0)), s.serversIn(2));
        assertEquals(List.of(a.get(2), a.get(3), a.get(4), a.get(0), a.get(1)), s.serversIn(3));
        assertEquals(a, s.serversIn(6));
        for (int rep = 1; rep <= a.size(); rep++) {
            assertEquals(a.get(rep - 1), s.serversIn(rep).get(0), "first in repetition " + rep);
        }
    }

    @Test
    void wrongValuesAreRefusedWithTheReason() {
        assertTrue(assertThrows(Args.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--connections", "30000"})).getMessage().contains("20,000"));
        assertTrue(assertThrows(Args.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--servers", "tomcat"})).getMessage().contains("tomcat"));
        assertTrue(assertThrows(Args.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--quick", "--update-readme"})).getMessage()
                .contains("full run"));
    }

    @Test
    void readmeSectionIsReplacedBetweenTheMarkers(@TempDir Path dir) throws IOException {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# T\n\n" + Readme.BEGIN + "\nold\n" + Readme.END + "\n\nafter\n");
        Readme.update(readme, "new table\n");
        assertEquals("# T\n\n" + Readme.BEGIN + "\nnew table\n" + Readme.END + "\n\nafter\n", Files.readString(readme));
        Files.writeString(readme, "no markers");
        assertThrows(IOException.class, () -> Readme.update(readme, "x"));
    }
}
