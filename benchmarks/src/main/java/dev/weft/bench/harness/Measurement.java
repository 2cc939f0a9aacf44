package dev.weft.bench.harness;

import dev.weft.bench.load.LoadResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One server's run of one scenario in one repetition.
 *
 * @param scenario          what was run
 * @param server            the server's label ({@link dev.weft.bench.servers.ServerKind#label()})
 * @param repetition        1, 2, 3, ...
 * @param result            what the load tool measured (for wrk: req/s, p50, p99 and max; no p99.9)
 * @param rssPerConnKiB     resident memory the server gained per idle connection, KiB; NaN if not measured
 * @param heapPerConnKiB    live heap the server gained per idle connection, KiB; NaN if not measured
 * @param serverCpuPerMsgUs the server process's CPU time (user + system) per message during the
 *                          measured phase, microseconds
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

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario.name());
        m.put("protocol", scenario.protocol().name().toLowerCase(java.util.Locale.ROOT));
        m.put("tool", scenario.tool().label());
        m.put("mode", scenario.mode());
        m.put("connections", scenario.connections());
        m.put("rate", scenario.rate());
        m.put("server", server);
        m.put("repetition", repetition);
        m.put("result", result.toMap());
        m.put("rssPerConnKiB", finite(rssPerConnKiB));
        m.put("heapPerConnKiB", finite(heapPerConnKiB));
        m.put("serverCpuPerMsgUs", finite(serverCpuPerMsgUs));
        m.put("serverSwitchesPerMsg", finite(serverSwitchesPerMsg));
        return m;
    }

    /** The inverse of {@link #toMap()} (the scenario's server list is not kept: the report needs none). */
    @SuppressWarnings("unchecked")
    static Measurement fromMap(Map<String, Object> m) {
        Scenario s = new Scenario(
                dev.weft.bench.servers.Protocol.valueOf(((String) m.get("protocol")).toUpperCase(java.util.Locale.ROOT)),
                m.get("tool").equals(Scenario.Tool.WRK.label()) ? Scenario.Tool.WRK : Scenario.Tool.WEFT_CLIENT,
                ((Number) m.get("connections")).intValue(), ((Number) m.get("rate")).intValue(), java.util.List.of());
        return new Measurement(s, (String) m.get("server"), ((Number) m.get("repetition")).intValue(),
                LoadResult.fromMap((Map<String, Object>) m.get("result")), number(m, "rssPerConnKiB"),
                number(m, "heapPerConnKiB"), number(m, "serverCpuPerMsgUs"), number(m, "serverSwitchesPerMsg"));
    }

    static double number(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** JSON has no NaN: a figure not measured is {@code null}. */
    private static Object finite(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
    }
}
