package dev.weft.bench.jmh;

import dev.weft.bench.Loopback;
import dev.weft.bench.servers.BenchServer;
import dev.weft.bench.servers.ServerKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Echo round trips over loopback against each echo server, in the benchmark's own JVM. One
 * operation writes a 64-byte message on every one of {@code connections} connections, then reads
 * every reply in full: with 1 connection it is the round-trip time, with 100 it is a burst of 100
 * concurrent requests the server must serve (messages per second = ops/s × connections).
 *
 * <pre>java -cp 'benchmarks/target/weft-benchmarks.jar:benchmarks/target/lib/*' org.openjdk.jmh.Main EchoRoundTrip</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(2)
public class EchoRoundTripBenchmark {

    private static final int MESSAGE = 64;

    @Param({"weft", "netty", "nio", "platform-threads", "naive-virtual"})
    public String server;

    @Param({"1", "100"})
    public int connections;

    private BenchServer running;
    private Socket[] sockets;
    private InputStream[] ins;
    private final byte[] message = new byte[MESSAGE];
    private final byte[] reply = new byte[MESSAGE];
    private byte seq;

    @Setup(Level.Trial)
    public void start() throws IOException {
        running = ServerKind.of(server).start(connections + 10);
        sockets = new Socket[connections];
        ins = new InputStream[connections];
        for (int i = 0; i < connections; i++) {
            sockets[i] = new Socket(Loopback.address(), running.port());
            sockets[i].setTcpNoDelay(true);
            sockets[i].setSoTimeout(10_000);
            ins[i] = sockets[i].getInputStream();
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        for (Socket s : sockets) {
            if (s != null) {
                s.close();
            }
        }
        running.close();
    }

    @Benchmark
    public int roundTrip() throws IOException {
        message[0] = ++seq;
        for (Socket s : sockets) {
            s.getOutputStream().write(message);
        }
        for (InputStream in : ins) {
            if (in.readNBytes(reply, 0, MESSAGE) != MESSAGE || reply[0] != seq) {
                throw new IOException(server + " answered wrongly");
            }
        }
        return reply[0];
    }
}
