package dev.weft.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
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
 * The same request head as {@code HttpParseBenchmark} through Netty's {@link HttpRequestDecoder}
 * (the decoder in {@code HttpServerCodec}) on an {@link EmbeddedChannel}: what Weft's parser is
 * compared with, per request and in bytes allocated per request ({@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(2)
public class NettyHttpParseBenchmark {

    private EmbeddedChannel channel;
    private ByteBuf request;

    @Setup(Level.Trial)
    public void start() {
        channel = new EmbeddedChannel(new HttpRequestDecoder());
        request = Unpooled.directBuffer(RequestBytes.GET.length).writeBytes(RequestBytes.GET);
    }

    @TearDown(Level.Trial)
    public void stop() {
        channel.finishAndReleaseAll();
        request.release();
    }

    @Benchmark
    public HttpRequest parse() {
        channel.writeInbound(request.retainedDuplicate());
        HttpRequest head = null;
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            if (msg instanceof HttpRequest r) {
                head = r;
            }
            ReferenceCountUtil.release(msg);
        }
        return head;
    }
}
