package dev.weft.bench.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.bench.json.BenchJson;
import dev.weft.bench.load.ClientProtocol;
import dev.weft.bench.load.LoadResult;
import dev.weft.bench.proc.ServerSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's JSON report, {@code c10k.json}: its layout, its figures and what a failed run says. */
class DemoReportTest {

    private static final DemoOptions OPTIONS = new DemoOptions(10_000, 20, 64, Path.of("target/demo/c10k.json"),
            false, true);
    private static final ServerJvm JVM = new ServerJvm(List.of("-Xmx1g", "-XX:+UseSerialGC"), "Copy", 2);
    private static final ServerSample BASELINE = new ServerSample(100L << 20, 5L << 20, 8L << 20, 20);
    /** 10,000 connections held: 5 MiB more RSS (0.51 KiB each) and 2.5 MiB more heap (0.26 KiB each). */
    private static final ServerSample IDLE = new ServerSample(105L << 20, (15L << 20) / 2, 16L << 20, 22);
    private static final LoadResult RESULT = new LoadResult("echo", 0, 10_000, 0, 0, 0, 1_200_000, 20.0,
            60_000.123456, 1_500.5, 9_000.25, Double.NaN, 250_000.0, "");

    @Test
    void theReportHasTheTableFiguresFirstThenHowTheyWereMeasured() {
        DemoReport report = new DemoReport(OPTIONS, JVM, List.of("-Xmx512m"), BASELINE, IDLE, 10_000,
                new ClientProtocol.Ready(10_000, 0, 1_500), RESULT, null);
        String json = BenchJson.pretty(report.saved());
        JsonNode c10k = BenchJson.tree(json);
        assertEquals(List.of("date", "jdk", "vm", "os", "cores", "flags", "passed", "problems", "results", "server",
                "client", "histogram"), names(c10k));
        assertTrue(c10k.get("passed").booleanValue());
        assertEquals(0, c10k.get("problems").size());
        assertTrue(c10k.get("histogram").isNull());
        assertEquals(Runtime.getRuntime().availableProcessors(), c10k.get("cores").intValue());

        JsonNode flags = c10k.get("flags");
        assertEquals(List.of("connections", "duration", "payload", "out", "histogram", "warmup"), names(flags));
        assertEquals("target/demo/c10k.json", flags.get("out").textValue()); // as typed, not a file: URI

        JsonNode results = c10k.get("results");
        assertEquals(List.of("connectionsHeld", "connectErrors", "echoErrors", "msgsPerSec", "p50Us", "p99Us",
                "p999Us", "maxUs", "serverRssPerConnKiB", "serverHeapPerConnKiB", "serverOsThreads",
                "serverVirtualThreads", "carrierThreads"), names(results));
        assertEquals(60_000.12, results.get("msgsPerSec").doubleValue());
        assertEquals(0.51, results.get("serverRssPerConnKiB").doubleValue());
        assertEquals(0.26, results.get("serverHeapPerConnKiB").doubleValue());
        assertEquals(9_000.25, results.get("p99Us").doubleValue());
        assertTrue(results.get("p999Us").isNull());
        assertEquals(22, results.get("serverOsThreads").intValue());

        JsonNode server = c10k.get("server");
        assertEquals(List.of("jvmFlags", "gc", "carrierThreads", "warmup", "baseline", "idle"), names(server));
        assertEquals(BASELINE, BenchJson.convert(server.get("baseline"), ServerSample.class));
        assertEquals(IDLE, BenchJson.convert(server.get("idle"), ServerSample.class));
        JsonNode client = c10k.get("client");
        assertEquals(List.of("jvmFlags", "rampMillis", "result"), names(client));
        assertEquals(List.of("-Xmx512m"), BenchJson.listOf(client.get("jvmFlags"), String.class));
        assertEquals(RESULT, BenchJson.convert(client.get("result"), LoadResult.class));
        assertFalse(json.contains("NaN"), json);
    }

    @Test
    void aRunThatHeldNothingFailsAndHasNoFigurePerConnection() {
        DemoReport report = new DemoReport(OPTIONS, JVM, List.of(), BASELINE, BASELINE, 0,
                new ClientProtocol.Ready(0, 10_000, 30_000), RESULT, Path.of("target/demo/histogram.txt"));
        JsonNode c10k = BenchJson.tree(BenchJson.pretty(report.saved()));
        assertFalse(c10k.get("passed").booleanValue());
        assertEquals(List.of("the server held 0 of 10,000 connections"),
                BenchJson.listOf(c10k.get("problems"), String.class));
        assertTrue(c10k.get("results").get("serverRssPerConnKiB").isNull());
        assertTrue(c10k.get("results").get("serverHeapPerConnKiB").isNull());
        assertEquals("target/demo/histogram.txt", c10k.get("histogram").textValue());
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
