package dev.weft.bench.load;

import dev.weft.bench.Args;
import dev.weft.bench.Loopback;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A load client for an echo or HTTP server on 127.0.0.1, meant to run as a child process (10,000
 * connections need their own open-file budget): it opens the connections, reports {@code READY},
 * waits for {@code GO} on standard input, runs the measured phase ({@link LoadPhase}, closed or open
 * loop) and prints {@code RESULT}; see
 * {@link ClientProtocol} for the lines and {@link LoadOptions} for the flags. Every phase is
 * bounded in time; the process exits by itself.
 *
 * <p>Exit status: 0 after a RESULT line, 2 for a wrong command line, 3 if no GO came (timeout or
 * standard input closed).
 */
public final class LoadClient {

    private LoadClient() {
    }

    public static void main(String[] args) throws Exception {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (Args.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    static int run(LoadOptions options) throws InterruptedException {
        InetSocketAddress target = new InetSocketAddress(Loopback.address(), options.port());
        ConnectionRamp ramp = new ConnectionRamp(target, options);
        long rampStart = System.nanoTime();
        List<Socket> sockets = ramp.run((connected, errors) ->
                System.out.println(ClientProtocol.progress(connected, errors)));
        try {
            if (ramp.firstError() != null) {
                System.err.println("load-client: first connect error: " + ramp.firstError());
            }
            long rampMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rampStart);
            System.out.println(ClientProtocol.ready(sockets.size(), ramp.errors(), rampMillis));
            String why = awaitGo(options);
            if (why != null) {
                System.err.println("load-client: " + why + "; closing " + sockets.size() + " connections");
                return 3;
            }
            LoadResult result = new LoadPhase(options).run(sockets, ramp.errors(),
                    () -> System.out.println(ClientProtocol.MEASURING));
            System.out.println(ClientProtocol.result(result));
            return 0;
        } finally {
            sockets.forEach(ConnectionRamp::abort);
        }
    }

    /** Waits for the GO line; returns why not, or {@code null} once it came. */
    private static String awaitGo(LoadOptions options) throws InterruptedException {
        CompletableFuture<String> line = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("stdin").start(() -> {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String l; (l = in.readLine()) != null; ) {
                    if (l.trim().equals(ClientProtocol.GO)) {
                        line.complete(l);
                        return;
                    }
                }
                line.complete(null);
            } catch (IOException e) {
                line.complete(null);
            }
        });
        try {
            return line.get(options.goTimeout().toMillis(), TimeUnit.MILLISECONDS) != null
                    ? null : "standard input closed before GO";
        } catch (TimeoutException e) {
            return "no GO within " + options.goTimeout().toSeconds() + " s";
        } catch (ExecutionException e) {
            return "reading standard input failed: " + e.getCause();
        }
    }
}
