package dev.weft.bench.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One server's figures in one scenario over all repetitions: medians and ranges, and the failures
 * added up.
 *
 * @param scenario      the scenario
 * @param server        the server's label
 * @param msgsPerSec    messages (requests) per second
 * @param p50Us         median latency, µs
 * @param p99Us         99th percentile, µs
 * @param p999Us        99.9th percentile, µs (not measured by wrk)
 * @param rssPerConnKiB server RSS per idle connection, KiB
 * @param heapPerConnKiB server live heap per idle connection, KiB
 * @param cpuPerMsgUs   server CPU time per message, µs
 * @param switchesPerMsg server context switches per message
 * @param connectErrors failed connects, all repetitions
 * @param errors        failed connections (wrong reply, I/O error, reply timeout), all repetitions
 * @param timeouts      replies over 2 s, all repetitions
 */
public record Summary(
        Scenario scenario,
        String server,
        Stat msgsPerSec,
        Stat p50Us,
        Stat p99Us,
        Stat p999Us,
        Stat rssPerConnKiB,
        Stat heapPerConnKiB,
        Stat cpuPerMsgUs,
        Stat switchesPerMsg,
        long connectErrors,
        long errors,
        long timeouts) {

    /** Summaries of {@code runs}, one per scenario and server, in the order they first appear. */
    static List<Summary> of(List<Measurement> runs) {
        Map<String, List<Measurement>> groups = new LinkedHashMap<>();
        for (Measurement m : runs) {
            groups.computeIfAbsent(m.scenario().name() + "|" + m.server(), k -> new ArrayList<>()).add(m);
        }
        List<Summary> all = new ArrayList<>();
        for (List<Measurement> g : groups.values()) {
            Measurement first = g.get(0);
            all.add(new Summary(first.scenario(), first.server(),
                    stat(g, m -> m.result().msgsPerSec()),
                    stat(g, m -> m.result().p50Us()),
                    stat(g, m -> m.result().p99Us()),
                    stat(g, m -> m.result().p999Us()),
                    stat(g, Measurement::rssPerConnKiB),
                    stat(g, Measurement::heapPerConnKiB),
                    stat(g, Measurement::serverCpuPerMsgUs),
                    stat(g, Measurement::serverSwitchesPerMsg),
                    g.stream().mapToLong(m -> m.result().connectErrors()).sum(),
                    g.stream().mapToLong(m -> m.result().errors()).sum(),
                    g.stream().mapToLong(m -> m.result().timeouts()).sum()));
        }
        return all;
    }

    /** Figures of a run that failed (no messages) are left out; its errors still count. */
    private static Stat stat(List<Measurement> runs, ToDoubleFunction<Measurement> figure) {
        return Stat.of(runs.stream().filter(m -> m.result().messages() > 0).map(m -> figure.applyAsDouble(m))
                .toList());
    }

    /** How {@code results.json} keeps it: the scenario by name, the figures to three decimals. */
    Saved saved() {
        return new Saved(scenario.name(), server, msgsPerSec.rounded(), p50Us.rounded(), p99Us.rounded(),
                p999Us.rounded(), rssPerConnKiB.rounded(), heapPerConnKiB.rounded(), cpuPerMsgUs.rounded(),
                switchesPerMsg.rounded(), connectErrors, errors, timeouts);
    }

    /** The JSON form of a {@link Summary}; written only (a report works its summaries out again). */
    record Saved(String scenario, String server, Stat msgsPerSec, Stat p50Us, Stat p99Us, Stat p999Us,
            Stat rssPerConnKiB, Stat heapPerConnKiB, Stat cpuPerMsgUs, Stat switchesPerMsg, long connectErrors,
            long errors, long timeouts) {
    }
}
