package dev.weft.bench.harness;

/**
 * One JMH benchmark result, as the report shows it and {@code results.json} keeps it (NaN as {@code null}).
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
}
