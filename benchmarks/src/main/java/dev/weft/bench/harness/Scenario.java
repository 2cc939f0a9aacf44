package dev.weft.bench.harness;

import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.util.ArrayList;
import java.util.List;

/**
 * One load workload, run against each of its servers in turn.
 *
 * @param protocol    echo, HTTP, HTTP through a reverse or a forward proxy, or echo through a TCP proxy
 * @param tool        who makes the load: {@link Tool#WEFT_CLIENT} (this module's load client, in its own
 *                    JVM), {@link Tool#WRK}, or {@link Tool#TUNNEL} (uploads through {@code CONNECT})
 * @param connections concurrent connections (1 for the tunnel uploads, one at a time)
 * @param rate        0 for a closed loop, else the open loop's offered messages per second
 * @param servers     the servers compared, in the order they alternate in the first repetition
 */
public record Scenario(Protocol protocol, Tool tool, int connections, int rate, List<ServerKind> servers) {

    /** Who generates the load. */
    public enum Tool {
        /** {@code dev.weft.bench.load.LoadClient}: checked replies, HdrHistogram, closed or open loop. */
        WEFT_CLIENT("weft-load-client"),
        /** The Debian package {@code wrk}: closed loop, HTTP only, its own latency figures. */
        WRK("wrk"),
        /**
         * {@code dev.weft.bench.load.TunnelClient}: 100 MiB uploads, one after the other, each through a
         * new {@code CONNECT} tunnel to a sink in the same JVM; a "message" is one MiB.
         */
        TUNNEL("tunnel-upload");

        private final String label;

        Tool(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** The tool with this label, as {@code results.json} names it. */
        public static Tool of(String label) {
            for (Tool t : values()) {
                if (t.label.equals(label)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown load tool '" + label + "'");
        }
    }

    /**
     * The servers in the order they run in {@code repetition} (from 1): the list rotated by one place
     * per repetition (A, B, C; then B, C, A; then C, A, B), so that no server always runs first, right
     * after another scenario's load, or always after the same neighbour.
     */
    public List<ServerKind> serversIn(int repetition) {
        if (servers.isEmpty()) {
            return servers;
        }
        int shift = Math.floorMod(repetition - 1, servers.size());
        List<ServerKind> order = new ArrayList<>(servers.subList(shift, servers.size()));
        order.addAll(servers.subList(0, shift));
        return List.copyOf(order);
    }

    /** {@code closed} or {@code open}. */
    public String mode() {
        return rate == 0 ? "closed" : "open";
    }

    /**
     * A short name: {@code echo closed 10000}, {@code http open 10000 @20000/s}, {@code http wrk 10000},
     * {@code forward tunnel}, {@code tcp-proxy closed 100}.
     */
    public String name() {
        String p = protocol.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        if (tool == Tool.WRK) {
            return p + " wrk " + connections;
        }
        if (tool == Tool.TUNNEL) {
            return p + " tunnel";
        }
        return p + " " + mode() + " " + connections + (rate == 0 ? "" : " @" + rate + "/s");
    }
}
