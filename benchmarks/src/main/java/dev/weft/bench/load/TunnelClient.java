package dev.weft.bench.load;

import dev.weft.bench.Args;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The forward-proxy scenario's tunnel uploads, as a child process with a {@link TunnelSink} of its
 * own: it starts the sink and prints its port, waits for the line that says where to upload, uploads
 * {@code --mib} MiB again and again ({@link TunnelUpload}, each on a new connection, one at a time)
 * for {@code --warmup} seconds unrecorded and then for {@code --duration} seconds measured, and
 * prints the result. Lines:
 *
 * <pre>
 * client → parent   SINK port=N
 * parent → client   UPLOAD port=P sink=N    through the proxy on P with CONNECT 127.0.0.1:N
 * parent → client   UPLOAD port=N sink=0    straight to the sink
 * client → parent   MEASURING              the warm-up is over (as {@link ClientProtocol#MEASURING})
 * client → parent   RESULT {json}          as {@link ClientProtocol#result}: a message is a MiB
 * </pre>
 *
 * The first failed upload ends the run, and the result counts it as an error. Every upload is
 * bounded by {@code --upload-timeout}, the wait for the UPLOAD line by {@code --go-timeout}.
 *
 * <pre>TunnelClient [--mib 100] [--warmup 2] [--duration 6] [--upload-timeout 60] [--go-timeout 120]</pre>
 *
 * <p>Exit status: 0 after a RESULT line, 2 for a wrong command line, 3 if no UPLOAD line came.
 */
public final class TunnelClient {

    public static final String SINK = "SINK port=";
    public static final String UPLOAD = "UPLOAD";
    private static final long MIB = 1024 * 1024;

    private TunnelClient() {
    }

    public static void main(String[] args) throws Exception {
        Args a;
        int mib;
        Duration warmup;
        Duration duration;
        Duration uploadTimeout;
        Duration goTimeout;
        try {
            a = Args.parse("tunnel-client", args, "--mib", "--warmup", "--duration", "--upload-timeout",
                    "--go-timeout");
            mib = range(a, "--mib", 100, 1, 10_240);
            warmup = Duration.ofSeconds(range(a, "--warmup", 2, 0, 600));
            duration = Duration.ofSeconds(range(a, "--duration", 6, 1, 600));
            uploadTimeout = Duration.ofSeconds(range(a, "--upload-timeout", 60, 1, 600));
            goTimeout = Duration.ofSeconds(range(a, "--go-timeout", 120, 1, 3_600));
        } catch (Args.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try (TunnelSink sink = new TunnelSink(mib * MIB);
                ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
                        Thread.ofPlatform().daemon().name("upload-watchdog").factory())) {
            System.out.println(SINK + sink.port());
            Map<String, String> where = awaitUpload(goTimeout);
            if (where == null) {
                System.err.println("tunnel-client: no " + UPLOAD + " line within " + goTimeout.toSeconds() + " s");
                System.exit(3);
                return;
            }
            TunnelUpload upload = new TunnelUpload(Integer.parseInt(where.get("port")),
                    Integer.parseInt(where.get("sink")), mib * MIB, uploadTimeout);
            LoadResult result = run(upload, mib, warmup, duration, watchdog);
            System.out.println(ClientProtocol.result(result));
        }
        System.exit(0);
    }

    /** The warm-up uploads, then the measured ones; stops at the first failure. */
    static LoadResult run(TunnelUpload upload, int mib, Duration warmup, Duration duration,
            ScheduledExecutorService watchdog) {
        ByteBuffer data = ByteBuffer.allocateDirect(TunnelUpload.BUFFER);
        byte[] noise = new byte[TunnelUpload.BUFFER];
        new Random(17).nextBytes(noise); // incompressible, though nothing on the way compresses
        data.put(noise).clear();
        String error = "";
        try {
            long until = System.nanoTime() + warmup.toNanos();
            while (System.nanoTime() < until) {
                upload.run(data, watchdog);
            }
        } catch (TunnelUpload.Failed e) {
            error = "during the warm-up: " + e.getMessage();
        }
        System.out.println(ClientProtocol.MEASURING);
        List<Long> times = new ArrayList<>();
        if (error.isEmpty()) {
            long until = System.nanoTime() + duration.toNanos();
            try {
                do {
                    times.add(upload.run(data, watchdog));
                } while (System.nanoTime() < until);
            } catch (TunnelUpload.Failed e) {
                error = e.getMessage();
            }
        }
        return result(times, mib, error);
    }

    /** The result of the measured uploads: MiB/s over the time they took, the median and longest upload. */
    static LoadResult result(List<Long> nanos, int mib, String error) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        double seconds = Arrays.stream(sorted).sum() / 1e9;
        long mibs = (long) sorted.length * mib;
        double p50 = sorted.length == 0 ? Double.NaN : sorted[(sorted.length - 1) / 2] / 1e3;
        double max = sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e3;
        return new LoadResult("forward", 0, 1, 0, error.isEmpty() ? 0 : 1, 0, mibs, seconds,
                seconds > 0 ? mibs / seconds : 0, p50, Double.NaN, Double.NaN, max, error);
    }

    /** The UPLOAD line's fields, or null if none came in time (or standard input closed). */
    private static Map<String, String> awaitUpload(Duration timeout) throws InterruptedException {
        CompletableFuture<Map<String, String>> line = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("stdin").start(() -> {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String l; (l = in.readLine()) != null; ) {
                    Map<String, String> f = uploadFields(l);
                    if (f != null) {
                        line.complete(f);
                        return;
                    }
                }
                line.complete(null);
            } catch (IOException e) {
                line.complete(null);
            }
        });
        try {
            return line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        }
    }

    /** {@code UPLOAD port=P sink=N} as its two numbers, or null for any other line. */
    static Map<String, String> uploadFields(String line) {
        String[] w = line.strip().split(" ");
        if (w.length != 3 || !w[0].equals(UPLOAD) || !w[1].matches("port=\\d{1,5}") || !w[2].matches("sink=\\d{1,5}")) {
            return null;
        }
        return Map.of("port", w[1].substring(5), "sink", w[2].substring(5));
    }

    /**
     * The line that sends the uploads through the proxy on {@code port} to the sink on
     * {@code sinkPort}; with {@code sinkPort} 0, straight to the sink on {@code port}.
     */
    public static String upload(int port, int sinkPort) {
        return UPLOAD + " port=" + port + " sink=" + sinkPort;
    }

    private static int range(Args a, String flag, int fallback, int min, int max) {
        int v = a.intValue(flag, fallback);
        if (v < min || v > max) {
            throw new Args.UsageException("tunnel-client: " + flag + " must be " + min + ".." + max + ", was " + v);
        }
        return v;
    }
}
