package dev.weft.bench.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.proc.ServerSample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The layout, the NaN rule and the strictness every benchmark JSON file and line relies on. */
class BenchJsonTest {

    /** A figure, a count, a flag and a text, as the reports' records have them. */
    record Row(String name, double figure, long count, boolean quick, List<String> flags, Map<String, Integer> extra) {
    }

    /** Rows inside a record, inside a list. */
    record Table(List<Row> rows, List<Row> none) {
    }

    @Test
    void prettyIsTwoSpacesPerLevelOneElementPerLineAndEndsWithANewline() {
        Table t = new Table(List.of(new Row("a \"b\" ≥ 1.0×", 12.5, 3, true, List.of("-Xmx2g", "-Xms256m"), Map.of()),
                new Row("c\\d\n", Double.NaN, -1, false, List.of(), Map.of("k", 1))), List.of());
        assertEquals("""
                {
                  "rows": [
                    {
                      "name": "a \\"b\\" ≥ 1.0×",
                      "figure": 12.5,
                      "count": 3,
                      "quick": true,
                      "flags": [
                        "-Xmx2g",
                        "-Xms256m"
                      ],
                      "extra": {}
                    },
                    {
                      "name": "c\\\\d\\n",
                      "figure": null,
                      "count": -1,
                      "quick": false,
                      "flags": [],
                      "extra": {
                        "k": 1
                      }
                    }
                  ],
                  "none": []
                }
                """, BenchJson.pretty(t));
    }

    @Test
    void compactIsOneLineWithoutSpaces() {
        assertEquals("{\"name\":\"x y\",\"figure\":1.0E7,\"count\":0,\"quick\":false,\"flags\":[\"a\"],\"extra\":{}}",
                BenchJson.compact(new Row("x y", 1e7, 0, false, List.of("a"), Map.of())));
        assertEquals("{\"rssBytes\":1,\"heapUsedBytes\":2,\"heapCommittedBytes\":3,\"osThreads\":4}",
                BenchJson.compact(new ServerSample(1, 2, 3, 4)));
    }

    @Test
    void notMeasuredIsNullInJsonAndNaNAgainWhenRead() {
        for (double v : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            String json = BenchJson.compact(new Row("n", v, 0, false, List.of(), Map.of()));
            assertTrue(json.contains("\"figure\":null"), json);
            assertTrue(Double.isNaN(BenchJson.read(json, Row.class).figure()), json);
        }
        assertEquals(4.0, BenchJson.read(
                "{\"name\":\"n\",\"figure\":4,\"count\":0,\"quick\":false,\"flags\":[],\"extra\":{}}", Row.class).figure());
    }

    @Test
    void recordsReadBackEqual() {
        Row row = new Row("r", 0.1 + 0.2, Long.MAX_VALUE, true, List.of("x"), Map.of("a", 1, "b", 2));
        assertEquals(row, BenchJson.read(BenchJson.compact(row), Row.class));
        assertEquals(row, BenchJson.read(BenchJson.pretty(row), Row.class));
        ServerSample sample = new ServerSample(123_456_789_012L, 5, 6, 7);
        assertEquals(sample, BenchJson.read(BenchJson.compact(sample), ServerSample.class));
    }

    @Test
    void aMissingNullOrUnknownFieldIsAnErrorNotAZero() {
        String good = "{\"rssBytes\":1,\"heapUsedBytes\":2,\"heapCommittedBytes\":3,\"osThreads\":4}";
        assertBad(good.replace("\"osThreads\":4", "\"osThreads\":null"), "osThreads");
        assertBad(good.replace(",\"osThreads\":4", ""), "osThreads");
        assertBad(good.replace("}", ",\"swapBytes\":0}"), "swapBytes");
        assertBad(good.replace("\"rssBytes\":1", "\"rssBytes\":\"1\"x"), "");
        assertBad(good.substring(0, 20), "");
        String row = "{\"name\":\"n\",\"figure\":1.5,\"count\":0,\"quick\":false,\"flags\":[],\"extra\":{}}";
        assertEquals(1.5, BenchJson.read(row, Row.class).figure());
        assertBad(row.replace("1.5", "\"NaN\""), Row.class, "figure");
        assertBad(row.replace("\"figure\":1.5,", ""), Row.class, "'figure'"); // absent is not "not measured"
        assertBad(row.replace("\"name\":\"n\",", ""), Row.class, "'name'");
        assertBad(row.replace("\"flags\":[],", ""), Row.class, "'flags'");
    }

    @Test
    void treesAndListsArePickedFromADocument() {
        var doc = BenchJson.tree("{\"samples\":[{\"rssBytes\":1,\"heapUsedBytes\":2,\"heapCommittedBytes\":3,"
                + "\"osThreads\":4}],\"flags\":[\"a\",\"b\"]}");
        assertEquals(List.of(new ServerSample(1, 2, 3, 4)), BenchJson.listOf(doc.get("samples"), ServerSample.class));
        assertEquals(List.of("a", "b"), BenchJson.listOf(doc.get("flags"), String.class));
        assertEquals(new ServerSample(1, 2, 3, 4), BenchJson.convert(doc.get("samples").get(0), ServerSample.class));
        assertThrows(IllegalArgumentException.class, () -> BenchJson.convert(doc.get("flags"), ServerSample.class));
        assertThrows(IllegalArgumentException.class, () -> BenchJson.tree("{\"a\":"));
    }

    private static void assertBad(String json, String mentions) {
        assertBad(json, ServerSample.class, mentions);
    }

    private static void assertBad(String json, Class<?> type, String mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchJson.read(json, type),
                json);
        assertTrue(e.getMessage().startsWith("bad " + type.getSimpleName() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(mentions), e.getMessage());
    }
}
