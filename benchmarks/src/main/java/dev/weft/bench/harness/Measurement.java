package dev.weft.bench.harness;

import dev.weft.bench.load.LoadResult;
import dev.weft.bench.servers.Protocol;
import java.util.List;
import java.util.Locale;

/**
 * One server's run of one scenario in one repetition.
 *
 * @param scenario          what was run
 * @param server            the server's label ({@link dev.weft.bench.servers.ServerKind#label()})
 * @param repetition        1, 2, 3, ...
 * @param result            what the load tool measured (for wrk: req/s, p50, p99 and max; no p99.9; for
 *                          the tunnel uploads: MiB as the messages, MiB/s as the rate, the median and
 *                          the longest upload as p50 and max)
 * @param rssPerConnKiB     resident memory the server gained per idle connection, KiB; NaN if not measured
 * @param heapPerConnKiB    live heap the server gained per idle connection, KiB; NaN if not measured
 * @param serverCpuPerMsgUs the server process's CPU time (user + system) per message during the
 *                          measured phase, microseconds (a proxy's: per request, per MiB tunnelled, per
 *                          message relayed)
 * @param serverSwitchesPerMsg the server's context switches (all its threads, voluntary and not) per
 *                          message during the measured phase: how often its threads went to sleep
 */
public record Measurement(
        Scenario scenario,
        String server,
        int repetition,
        LoadResult result,
        double rssPerConnKiB,
        double heapPerConnKiB,
        double serverCpuPerMsgUs,
        double serverSwitchesPerMsg) {

    /** Whether the run is clean: every connection made, no errors, no reply over 2 s. */
    public boolean clean() {
        return result.connectErrors() == 0 && result.errors() == 0 && result.timeouts() == 0;
    }

    /** How {@code results.json} keeps it: the scenario spelled out, the server's figures to three decimals. */
    Saved saved() {
        return new Saved(scenario.name(), scenario.protocol().name().toLowerCase(Locale.ROOT), scenario.tool().label(),
                scenario.mode(), scenario.connections(), scenario.rate(), server, repetition, result,
                Report.round3(rssPerConnKiB), Report.round3(heapPerConnKiB), Report.round3(serverCpuPerMsgUs),
                Report.round3(serverSwitchesPerMsg));
    }

    /**
     * The JSON form of a {@link Measurement}: the scenario's name and mode are written for people and
     * not read back (they follow from the rest); a figure not measured is {@code null}.
     */
    record Saved(String scenario, String protocol, String tool, String mode, int connections, int rate, String server,
            int repetition, LoadResult result, double rssPerConnKiB, double heapPerConnKiB, double serverCpuPerMsgUs,
            double serverSwitchesPerMsg) {

        /** The measurement again (the scenario's server list is not kept: the report needs none). */
        Measurement measurement() {
            Scenario s = new Scenario(Protocol.valueOf(protocol.toUpperCase(Locale.ROOT)),
                    Scenario.Tool.of(tool),
                    connections, rate, List.of());
            return new Measurement(s, server, repetition, result, rssPerConnKiB, heapPerConnKiB, serverCpuPerMsgUs,
                    serverSwitchesPerMsg);
        }
    }
}
