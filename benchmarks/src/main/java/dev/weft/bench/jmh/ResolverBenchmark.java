package dev.weft.bench.jmh;

import dev.weft.dns.CachingResolver;
import dev.weft.dns.ResolverOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The caching resolver's hit path: a name already cached and fresh, the way every request to the
 * same upstream asks for it. The backend (never asked once warm) returns 127.0.0.1; meters go to a
 * {@link SimpleMeterRegistry} as in an application that records them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(2)
public class ResolverBenchmark {

    private static final String NAME = "svc.example.internal";
    private CachingResolver resolver;

    @Setup(Level.Trial)
    public void start() throws UnknownHostException {
        List<InetAddress> loopback = List.of(InetAddress.getByAddress(NAME, new byte[] {127, 0, 0, 1}));
        resolver = new CachingResolver("bench", host -> loopback, ResolverOptions.DEFAULTS, new SimpleMeterRegistry());
        resolver.resolve(NAME);
    }

    @TearDown(Level.Trial)
    public void stop() {
        resolver.close();
    }

    @Benchmark
    public List<InetAddress> cachedHit() throws UnknownHostException {
        return resolver.resolve(NAME);
    }
}
