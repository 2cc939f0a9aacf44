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

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario.name());
        m.put("server", server);
        m.put("msgsPerSec", msgsPerSec.toMap());
        m.put("p50Us", p50Us.toMap());
        m.put("p99Us", p99Us.toMap());
        m.put("p999Us", p999Us.toMap());
        m.put("rssPerConnKiB", rssPerConnKiB.toMap());
        m.put("heapPerConnKiB", heapPerConnKiB.toMap());
        m.put("cpuPerMsgUs", cpuPerMsgUs.toMap());
        m.put("switchesPerMsg", switchesPerMsg.toMap());
        m.put("connectErrors", connectErrors);
        m.put("errors", errors);
        m.put("timeouts", timeouts);
        return m;
    }
}
