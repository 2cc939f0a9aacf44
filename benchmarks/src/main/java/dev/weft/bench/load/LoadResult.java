package dev.weft.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run of {@link EchoLoadClient} measured; the client prints it as the JSON of its
 * {@code RESULT} line and the demo reads it back with {@link #fromMap(Map)}.
 *
 * @param connected       connections open when the ping-pong phase began
 * @param connectErrors   connection attempts that failed or timed out during the ramp
 * @param echoErrors      connections whose ping-pong failed: a reply that differed from what was sent,
 *                        ended early, or an I/O error or timeout
 * @param messages        round trips completed and checked
 * @param seconds         how long the ping-pong phase ran
 * @param msgsPerSec      {@code messages / seconds}
 * @param p50Us           median round-trip latency, microseconds
 * @param p99Us           99th percentile, microseconds
 * @param p999Us          99.9th percentile, microseconds
 * @param maxUs           the slowest round trip, microseconds
 * @param firstEchoError  what the first echo error was, empty when there was none
 */
public record LoadResult(
        int connected,
        int connectErrors,
        long echoErrors,
        long messages,
        double seconds,
        double msgsPerSec,
        double p50Us,
        double p99Us,
        double p999Us,
        double maxUs,
        String firstEchoError) {

    /** The fields by name, in declaration order. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connected", connected);
        m.put("connectErrors", connectErrors);
        m.put("echoErrors", echoErrors);
        m.put("messages", messages);
        m.put("seconds", seconds);
        m.put("msgsPerSec", msgsPerSec);
        m.put("p50Us", p50Us);
        m.put("p99Us", p99Us);
        m.put("p999Us", p999Us);
        m.put("maxUs", maxUs);
        m.put("firstEchoError", firstEchoError);
        return m;
    }

    /** The inverse of {@link #toMap()}; a missing number reads as an error to be noticed, not zero. */
    public static LoadResult fromMap(Map<String, Object> m) {
        return new LoadResult(
                (int) number(m, "connected"),
                (int) number(m, "connectErrors"),
                (long) number(m, "echoErrors"),
                (long) number(m, "messages"),
                number(m, "seconds"),
                number(m, "msgsPerSec"),
                number(m, "p50Us"),
                number(m, "p99Us"),
                number(m, "p999Us"),
                number(m, "maxUs"),
                String.valueOf(m.getOrDefault("firstEchoError", "")));
    }

    private static double number(Map<String, Object> m, String key) {
        if (m.get(key) instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("RESULT has no number '" + key + "': " + m);
    }
}
