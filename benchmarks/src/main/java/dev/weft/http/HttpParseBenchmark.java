package dev.weft.http;

import dev.weft.bench.jmh.RequestBytes;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Weft's request-head parser ({@code RequestHeadParser} over {@code HttpInput}, both package-private,
 * hence this package; the benchmarks run on the class path) reading request after request from one
 * connection's input, as keep-alive delivers them. Run with {@code -prof gc} for bytes per request;
 * {@code NettyHttpParseBenchmark} parses the same bytes with Netty's decoder.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(2)
public class HttpParseBenchmark {

    private HttpInput in;
    private RequestHeadParser parser;

    @Setup(Level.Trial)
    public void start() {
        in = new HttpInput(RequestBytes.replaying());
        parser = new RequestHeadParser(HttpLimits.DEFAULTS);
    }

    @Benchmark
    public RequestHead parse() throws IOException {
        return parser.read(in);
    }
}
