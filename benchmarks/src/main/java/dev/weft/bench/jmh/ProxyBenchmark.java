package dev.weft.bench.jmh;

import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.Endpoint;
import dev.weft.examples.EchoServer;
import dev.weft.proxy.TcpProxy;
import dev.weft.tcp.TcpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
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
 * What the TCP proxy's hop costs: a 64-byte echo round trip on one connection straight to a Weft
 * echo server ({@code direct}) and through a {@link TcpProxy} in front of it ({@code throughProxy}),
 * all on loopback in one JVM.
 *
 * <pre>java -cp 'benchmarks/target/weft-benchmarks.jar:benchmarks/target/lib/*' org.openjdk.jmh.Main ProxyBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(2)
public class ProxyBenchmark {

    private final byte[] message = new byte[64];
    private final byte[] reply = new byte[64];
    private TcpServer echo;
    private UpstreamGroup group;
    private TcpProxy proxy;
    private Socket direct;
    private Socket proxied;

    @Setup(Level.Trial)
    public void start() throws IOException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        echo = TcpServer.builder().name("bench-echo").meterRegistry(registry)
                .bindAddress(InetAddress.getLoopbackAddress()).handler(EchoServer::echoRaw).start();
        group = UpstreamGroup.builder("bench").meterRegistry(registry)
                .add(Upstream.of(new Endpoint("127.0.0.1", echo.port()))).build();
        proxy = TcpProxy.builder(group).name("bench-proxy").meterRegistry(registry).start();
        direct = connect(echo.port());
        proxied = connect(proxy.port());
    }

    private Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        roundTrip(s);
        return s;
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        direct.close();
        proxied.close();
        proxy.close();
        group.close();
        echo.close();
    }

    private int roundTrip(Socket s) throws IOException {
        s.getOutputStream().write(message);
        return s.getInputStream().readNBytes(reply, 0, reply.length);
    }

    @Benchmark
    public int direct() throws IOException {
        return roundTrip(direct);
    }

    @Benchmark
    public int throughProxy() throws IOException {
        return roundTrip(proxied);
    }
}
