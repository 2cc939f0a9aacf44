package dev.weft.examples;

import dev.weft.client.Endpoint;
import dev.weft.tcp.NetworkException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Repeated TCP connect probes, the case study's {@code nc -zv} loop made useful: the connect time of
 * each, then min/avg/p99/max and the failures by kind. An instance is the {@code tcping} subcommand;
 * it exits with 0 when a probe connected, 1 when none did.
 *
 * <pre>./weft tcping HOST:PORT [-c 10] [-i 200ms] [--timeout 1s]</pre>
 */
@Command(name = "tcping",
        description = {"Repeated connect probes: each connect time, min/avg/p99/max, failures by kind.",
            "The host is resolved once, before the first probe. Exits 1 when no probe connected."})
public final class TcPing implements Callable<Integer> {

    /** How a probe ended. */
    enum Outcome { CONNECTED, REFUSED, TIMED_OUT, RESET, OTHER }

    /** What a run of probes found: each connect time in microseconds and the count of each outcome. */
    record Result(List<Long> connectMicros, Map<Outcome, Integer> outcomes) {
    }

    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "Where to connect, e.g. 127.0.0.1:8080 or [::1]:8080.")
    Endpoint target;

    @Option(names = {"-c", "--count"}, paramLabel = "N", defaultValue = "10", converter = CliTypes.Positive.class,
            description = "Probes to send (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", defaultValue = "200ms",
            description = "Wait between probes (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--timeout", paramLabel = "TIMEOUT", defaultValue = "1s",
            description = "Give a connect up after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    static Result run(InetSocketAddress target, int count, Duration interval, Duration timeout, PrintStream out) {
        List<Long> micros = new ArrayList<>();
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, 0);
        }
        for (int i = 1; i <= count; i++) {
            if (i > 1) {
                LockSupport.parkNanos(interval.toNanos());
            }
            long start = System.nanoTime();
            Outcome outcome;
            String detail = "";
            try (Socket socket = new Socket()) {
                socket.connect(target, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                outcome = Outcome.CONNECTED;
            } catch (IOException e) {
                outcome = classify(e);
                detail = ": " + e.getMessage();
            }
            long took = (System.nanoTime() - start) / 1_000;
            outcomes.merge(outcome, 1, Integer::sum);
            if (outcome == Outcome.CONNECTED) {
                micros.add(took);
                out.printf("probe %d: connected to %s in %.3f ms%n", i, target, took / 1000.0);
            } else {
                out.printf("probe %d: %s after %.3f ms%s%n", i, outcome.name().toLowerCase().replace('_', ' '),
                        took / 1000.0, detail);
            }
        }
        Result result = new Result(micros, outcomes);
        summary(out, count, result);
        return result;
    }

    static Outcome classify(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof SocketTimeoutException) {
            return Outcome.TIMED_OUT;
        }
        if (NetworkException.kindOf(e) == NetworkException.Kind.RESET) {
            return Outcome.RESET;
        }
        if (e instanceof ConnectException && message.contains("refused")) {
            return Outcome.REFUSED;
        }
        return Outcome.OTHER;
    }

    private static void summary(PrintStream out, int count, Result r) {
        out.printf("%d probes: %d connected, %d refused, %d timed out, %d reset, %d other%n", count,
                r.outcomes().get(Outcome.CONNECTED), r.outcomes().get(Outcome.REFUSED),
                r.outcomes().get(Outcome.TIMED_OUT), r.outcomes().get(Outcome.RESET), r.outcomes().get(Outcome.OTHER));
        if (!r.connectMicros().isEmpty()) {
            long[] sorted = r.connectMicros().stream().mapToLong(Long::longValue).sorted().toArray();
            double avg = Arrays.stream(sorted).average().orElse(0);
            long p99 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)];
            out.printf("connect time min/avg/p99/max = %.3f/%.3f/%.3f/%.3f ms%n",
                    sorted[0] / 1000.0, avg / 1000.0, p99 / 1000.0, sorted[sorted.length - 1] / 1000.0);
        }
    }

    @Override
    public Integer call() throws IOException {
        InetAddress address = InetAddress.getByName(target.host()); // unknown: one line from Main, exit 1
        Result r = run(new InetSocketAddress(address, target.port()), count, interval, timeout, System.out);
        return r.outcomes().get(Outcome.CONNECTED) == 0 ? 1 : 0;
    }
}
