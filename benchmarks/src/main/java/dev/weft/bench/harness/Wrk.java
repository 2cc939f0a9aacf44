package dev.weft.bench.harness;

import dev.weft.bench.load.LoadResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk} (the Debian package) against {@code GET /hello} on 127.0.0.1 and reads its
 * report: req/s, the latency distribution (wrk prints p50, p75, p90, p99 and the max, no p99.9),
 * socket errors, timeouts (replies over 2 s, its {@code --timeout}) and non-2xx responses. Two
 * threads, like the machine's two cores. Through a forward proxy ({@link #throughProxy}) wrk
 * connects to the proxy and asks for {@code http://127.0.0.1:BACKEND/hello} in absolute form, set
 * by a Lua script ({@link #forwardScript}).
 */
final class Wrk {

    private static final long SLACK_SECONDS = 30;
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)%\\s+([\\d.]+)(us|ms|s|m)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern MAX = Pattern.compile("Latency\\s+\\S+\\s+\\S+\\s+([\\d.]+)(us|ms|s|m)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    private Wrk() {
    }

    /** Whether {@code wrk} is on the PATH. */
    static boolean installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "wrk"))) {
                return true;
            }
        }
        return false;
    }

    /** Runs wrk with {@code connections} for {@code duration}; its output is kept in {@code log}. */
    static LoadResult run(int port, int connections, Duration duration, Path log)
            throws IOException, InterruptedException {
        return run(List.of("http://127.0.0.1:" + port + "/hello"), connections, duration, log);
    }

    /**
     * Runs wrk through the forward proxy on 127.0.0.1:{@code proxyPort} to {@code GET /hello} on
     * 127.0.0.1:{@code backendPort}, with the script {@link #forwardScript}, written to {@code script}.
     */
    static LoadResult throughProxy(int proxyPort, int backendPort, int connections, Duration duration, Path script,
            Path log) throws IOException, InterruptedException {
        Files.writeString(script, forwardScript(backendPort), StandardCharsets.UTF_8);
        return run(List.of("-s", script.toString(), "http://127.0.0.1:" + proxyPort + "/"), connections, duration,
                log);
    }

    /**
     * The Lua script that makes wrk's requests absolute-form: the path is the whole URL and
     * {@code Host} the backend's. wrk builds the request once from these fields (the script defines
     * no {@code request} function), as it does without a script, so it costs wrk nothing per request.
     */
    static String forwardScript(int backendPort) {
        return """
                -- absolute-form requests for a forward proxy: wrk connects to the proxy and asks for the backend
                wrk.path = "http://127.0.0.1:%1$d/hello"
                wrk.headers["Host"] = "127.0.0.1:%1$d"
                """.formatted(backendPort);
    }

    private static LoadResult run(List<String> target, int connections, Duration duration, Path log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t2", "-c" + connections,
                "-d" + duration.toSeconds() + "s", "--latency", "--timeout", "2s"));
        command.addAll(target);
        Process wrk = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!wrk.waitFor(duration.toSeconds() + SLACK_SECONDS, TimeUnit.SECONDS)) {
            wrk.destroyForcibly();
            throw new IOException("wrk did not finish in time; see " + log);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        if (wrk.exitValue() != 0) {
            throw new IOException("wrk failed with status " + wrk.exitValue() + ": " + out.strip());
        }
        return parse(out, connections);
    }

    /** Reads wrk's {@code --latency} report. */
    static LoadResult parse(String out, int connections) throws IOException {
        Matcher requests = find(REQUESTS, out);
        long total = Long.parseLong(requests.group(1));
        double seconds = micros(requests.group(2), requests.group(3)) / 1e6;
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        for (Matcher m = PERCENTILE.matcher(out); m.find(); ) {
            double us = micros(m.group(2), m.group(3));
            if (m.group(1).equals("50")) {
                p50 = us;
            } else {
                p99 = us;
            }
        }
        Matcher max = find(MAX, out);
        long connectErrors = 0;
        long errors = 0;
        long timeouts = 0;
        Matcher socket = SOCKET_ERRORS.matcher(out);
        if (socket.find()) {
            connectErrors = Long.parseLong(socket.group(1));
            errors = Long.parseLong(socket.group(2)) + Long.parseLong(socket.group(3));
            timeouts = Long.parseLong(socket.group(4));
        }
        Matcher non2xx = NON_2XX.matcher(out);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        return new LoadResult("http", 0, connections, (int) connectErrors, errors, timeouts, total, seconds,
                Double.parseDouble(find(RPS, out).group(1)), p50, p99, Double.NaN,
                micros(max.group(1), max.group(2)), errors + timeouts == 0 ? "" : "see the wrk log");
    }

    private static Matcher find(Pattern p, String out) throws IOException {
        Matcher m = p.matcher(out);
        if (!m.find()) {
            throw new IOException("wrk's report has no '" + p.pattern() + "': " + out.strip());
        }
        return m;
    }

    private static double micros(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            case "s" -> v * 1e6;
            default -> v * 60e6; // "m"
        };
    }
}
