package dev.weft.bench.jmh;

import dev.weft.client.ConnectionPool;
import dev.weft.client.Endpoint;
import dev.weft.client.Lease;
import dev.weft.client.PoolOptions;
import dev.weft.dns.Resolver;
import dev.weft.examples.EchoServer;
import dev.weft.tcp.TcpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
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
 * What the pool costs and what it saves, against a raw echo server on loopback:
 * {@code borrowReturn} is the pool's own overhead (acquire and give back an idle connection, no
 * I/O); {@code pooledRoundTrip} and {@code connectPerRequest} do one 64-byte echo each, on a reused
 * connection and on a new connection (the TIME_WAIT case study's pattern).
 *
 * <pre>java -cp 'benchmarks/target/weft-benchmarks.jar:benchmarks/target/lib/*' org.openjdk.jmh.Main PoolBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(2)
public class PoolBenchmark {

    private final byte[] message = new byte[64];
    private final byte[] reply = new byte[64];
    private TcpServer server;
    private ConnectionPool pool;
    private Endpoint endpoint;

    @Setup(Level.Trial)
    public void start() throws IOException {
        server = TcpServer.builder().name("bench-echo").meterRegistry(new SimpleMeterRegistry())
                .bindAddress(InetAddress.getLoopbackAddress()).handler(EchoServer::echoRaw).start();
        endpoint = new Endpoint("127.0.0.1", server.port());
        pool = new ConnectionPool("bench", PoolOptions.DEFAULTS, Resolver.system(), new SimpleMeterRegistry());
        try (Lease warm = pool.acquire(endpoint)) {
            warm.out().write(message);
            warm.in().readNBytes(reply, 0, reply.length);
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        pool.close();
        server.close();
    }

    @Benchmark
    public boolean borrowReturn() throws IOException {
        try (Lease lease = pool.acquire(endpoint)) {
            return lease.isReused();
        }
    }

    @Benchmark
    public int pooledRoundTrip() throws IOException {
        try (Lease lease = pool.acquire(endpoint)) {
            lease.out().write(message);
            return lease.in().readNBytes(reply, 0, reply.length);
        }
    }

    @Benchmark
    public int connectPerRequest() throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
            socket.getOutputStream().write(message);
            return socket.getInputStream().readNBytes(reply, 0, reply.length);
        }
    }
}
