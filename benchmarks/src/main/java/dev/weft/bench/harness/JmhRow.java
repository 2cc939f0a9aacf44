package dev.weft.bench.harness;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JMH benchmark result, as the report shows it.
 *
 * @param benchmark      the short benchmark name, e.g. {@code EchoRoundTripBenchmark.roundTrip}
 * @param params         its {@code @Param} values, e.g. {@code server=netty connections=100}; empty if none
 * @param score          the primary score
 * @param error          the 99.9% confidence half-width JMH reports (NaN with a single fork and iteration)
 * @param unit           the score's unit, e.g. {@code ops/s} or {@code us/op}
 * @param allocBytesPerOp {@code gc.alloc.rate.norm} when the GC profiler ran, else NaN
 */
public record JmhRow(String benchmark, String params, double score, double error, String unit,
        double allocBytesPerOp) {

    /** The inverse of {@link #toMap()}. */
    static JmhRow fromMap(Map<String, Object> m) {
        return new JmhRow((String) m.get("benchmark"), (String) m.get("params"), Measurement.number(m, "score"),
                Measurement.number(m, "error"), (String) m.get("unit"), Measurement.number(m, "allocBytesPerOp"));
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("benchmark", benchmark);
        m.put("params", params);
        m.put("score", finite(score));
        m.put("error", finite(error));
        m.put("unit", unit);
        m.put("allocBytesPerOp", finite(allocBytesPerOp));
        return m;
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
