package dev.weft.examples;

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
import java.util.concurrent.locks.LockSupport;

/**
 * Repeated TCP connect probes, the case study's {@code nc -zv} loop made useful: the connect time of
 * each, then min/avg/p99/max and the failures by kind.
 *
 * <pre>./weft tcping HOST:PORT [-c 10] [-i 200ms] [--timeout 1s]</pre>
 */
public final class TcPing {

    /** How a probe ended. */
    enum Outcome { CONNECTED, REFUSED, TIMED_OUT, RESET, OTHER }

    /** What a run of probes found: each connect time in microseconds and the count of each outcome. */
    record Result(List<Long> connectMicros, Map<Outcome, Integer> outcomes) {
    }

    private TcPing() {
    }

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
                socket.connect(target, (int) timeout.toMillis());
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
        if (message.contains("reset")) {
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

    public static void main(String[] args) throws IOException {
        if (args.length == 0 || args[0].startsWith("-")) {
            throw new Args.UsageException("tcping: give HOST:PORT first, e.g. ./weft tcping 127.0.0.1:8080 -c 5");
        }
        String target = args[0];
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            throw new Args.UsageException("tcping: expected HOST:PORT, got '" + target + "'");
        }
        int port;
        try {
            port = Integer.parseInt(target.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new Args.UsageException("tcping: the port in '" + target + "' is not a number");
        }
        Args a = Args.parse("tcping", Arrays.copyOfRange(args, 1, args.length), "-c", "-i", "--timeout");
        String host = target.substring(0, colon).replace("[", "").replace("]", "");
        Result r = run(new InetSocketAddress(InetAddress.getByName(host), port), a.intValue("-c", 10),
                a.durationValue("-i", Duration.ofMillis(200)), a.durationValue("--timeout", Duration.ofSeconds(1)),
                System.out);
        System.exit(r.outcomes().get(Outcome.CONNECTED) == 0 ? 1 : 0);
    }
}
