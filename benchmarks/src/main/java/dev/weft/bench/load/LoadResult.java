package dev.weft.bench.load;

/**
 * What one run of {@link LoadClient} measured; the client prints it as the JSON of its
 * {@code RESULT} line ({@link ClientProtocol#result}) and the driver reads it back; in
 * {@code results.json} as it is. A figure not measured (NaN) is {@code null} in JSON; a missing
 * field makes the line unreadable rather than zero.
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
}
