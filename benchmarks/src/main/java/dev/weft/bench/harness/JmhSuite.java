package dev.weft.bench.harness;

import dev.weft.bench.jmh.EchoRoundTripBenchmark;
import dev.weft.bench.jmh.NettyHttpParseBenchmark;
import dev.weft.bench.jmh.PoolBenchmark;
import dev.weft.bench.jmh.ProxyBenchmark;
import dev.weft.bench.jmh.ResolverBenchmark;
import dev.weft.http.HttpParseBenchmark;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.runner.format.OutputFormatFactory;

/**
 * Runs the JMH benchmarks from code: the echo round trips, the pool, the resolver and the TCP proxy with the
 * iterations and forks their annotations give (at least 2 forks each), then the two HTTP parsers
 * with JMH's GC profiler for bytes allocated per request. Results go to {@code jmh.json} and
 * {@code jmh-gc.json}. The quick mode (1 fork, one 200 ms warm-up and one 200 ms measurement) only
 * proves each benchmark starts, measures and stops.
 */
final class JmhSuite {

    private static final String ALLOC = "gc.alloc.rate.norm";

    private JmhSuite() {
    }

    static List<JmhRow> run(boolean quick, Path json, List<String> jvmFlags, PrintStream progress) {
        List<JmhRow> rows = new ArrayList<>();
        rows.addAll(run(quick, json, jvmFlags, progress, false,
                EchoRoundTripBenchmark.class, PoolBenchmark.class, ResolverBenchmark.class, ProxyBenchmark.class));
        rows.addAll(run(quick, json.resolveSibling("jmh-gc.json"), jvmFlags, progress, true,
                HttpParseBenchmark.class, NettyHttpParseBenchmark.class));
        return rows;
    }

    private static List<JmhRow> run(boolean quick, Path json, List<String> jvmFlags, PrintStream progress,
            boolean gc, Class<?>... benchmarks) {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .jvmArgs(jvmFlags.toArray(String[]::new))
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .shouldFailOnError(true);
        for (Class<?> b : benchmarks) {
            options.include("^" + b.getName().replace(".", "\\.") + "\\.");
        }
        if (gc) {
            options.addProfiler(GCProfiler.class);
        }
        if (quick) {
            options.forks(1)
                    .warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(200));
        }
        try {
            Collection<RunResult> results = new Runner(options.build(),
                    OutputFormatFactory.createFormatInstance(progress, VerboseMode.NORMAL)).run();
            return results.stream().map(JmhSuite::row).toList();
        } catch (RunnerException e) {
            throw new IllegalStateException("the JMH run failed: " + e.getMessage(), e);
        }
    }

    static JmhRow row(RunResult r) {
        String full = r.getParams().getBenchmark();
        int method = full.lastIndexOf('.');
        String name = full.substring(full.lastIndexOf('.', method - 1) + 1);
        List<String> params = new ArrayList<>();
        for (String key : r.getParams().getParamsKeys()) {
            params.add(key + "=" + r.getParams().getParam(key));
        }
        Result<?> primary = r.getPrimaryResult();
        Result<?> alloc = r.getSecondaryResults().get(ALLOC);
        return new JmhRow(name, String.join(" ", params), primary.getScore(), primary.getScoreError(),
                primary.getScoreUnit(), alloc == null ? Double.NaN : alloc.getScore());
    }
}
