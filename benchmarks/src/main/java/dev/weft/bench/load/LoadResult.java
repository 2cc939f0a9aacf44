package dev.weft.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run of {@link LoadClient} measured; the client prints it as the JSON of its
 * {@code RESULT} line and the driver reads it back with {@link #fromMap(Map)}.
 *
 * @param protocol      {@code echo} or {@code http}
 * @param offeredRate   the open loop's offered messages per second, 0 for a closed loop
 * @param connected     connections open when the measured phase began
 * @param connectErrors connection attempts that failed or timed out during the ramp
 * @param errors        connections that failed: a wrong or short reply, an I/O error or a reply timeout
 * @param timeouts      replies that took longer than 2 s (what wrk reports as timeouts); recorded too
 * @param messages      round trips completed and checked
 * @param seconds       how long the measured phase ran
 * @param msgsPerSec    {@code messages / seconds}
 * @param p50Us         median latency, microseconds (open loop: from the scheduled send time)
 * @param p99Us         99th percentile, microseconds
 * @param p999Us        99.9th percentile, microseconds
 * @param maxUs         the slowest, microseconds
 * @param firstError    what the first error was, empty when there was none
 */
public record LoadResult(
        String protocol,
        int offeredRate,
        int connected,
        int connectErrors,
        long errors,
        long timeouts,
        long messages,
        double seconds,
        double msgsPerSec,
        double p50Us,
        double p99Us,
        double p999Us,
        double maxUs,
        String firstError) {

    /** The fields by name, in declaration order. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", protocol);
        m.put("offeredRate", offeredRate);
        m.put("connected", connected);
        m.put("connectErrors", connectErrors);
        m.put("errors", errors);
        m.put("timeouts", timeouts);
        m.put("messages", messages);
        m.put("seconds", seconds);
        m.put("msgsPerSec", msgsPerSec);
        m.put("p50Us", p50Us);
        m.put("p99Us", p99Us);
        m.put("p999Us", p999Us);
        m.put("maxUs", maxUs);
        m.put("firstError", firstError);
        return m;
    }

    /** The inverse of {@link #toMap()}; a missing number reads as an error to be noticed, not zero. */
    public static LoadResult fromMap(Map<String, Object> m) {
        return new LoadResult(
                String.valueOf(m.get("protocol")),
                (int) number(m, "offeredRate"),
                (int) number(m, "connected"),
                (int) number(m, "connectErrors"),
                (long) number(m, "errors"),
                (long) number(m, "timeouts"),
                (long) number(m, "messages"),
                number(m, "seconds"),
                number(m, "msgsPerSec"),
                number(m, "p50Us"),
                number(m, "p99Us"),
                number(m, "p999Us"),
                number(m, "maxUs"),
                String.valueOf(m.getOrDefault("firstError", "")));
    }

    /** A number, or NaN where JSON has null (a figure not measured, such as wrk's p99.9). */
    private static double number(Map<String, Object> m, String key) {
        if (m.get(key) instanceof Number n) {
            return n.doubleValue();
        }
        if (m.containsKey(key) && m.get(key) == null) {
            return Double.NaN;
        }
        throw new IllegalArgumentException("RESULT has no number '" + key + "': " + m);
    }
}
