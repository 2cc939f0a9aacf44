package dev.weft.bench.harness;

import static dev.weft.bench.harness.Report.connections;
import static dev.weft.bench.harness.Report.find;
import static dev.weft.bench.harness.Report.fmt;
import static dev.weft.bench.harness.Report.median;
import static dev.weft.bench.harness.Report.ms;
import static dev.weft.bench.harness.Report.range;
import static dev.weft.bench.harness.Report.servers;
import static dev.weft.bench.harness.Report.table;

import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The report's parts for the three proxy scenarios: what each proxy ran with (for the header), the
 * reverse-proxy table, the forward proxy's two tables (wrk, and the {@code CONNECT} tunnel's
 * uploads) and the TCP-proxy table. Each part is empty when the run has no such measurement.
 */
final class ProxyTables {

    private ProxyTables() {
    }

    /**
     * What the proxy scenarios ran, for the header; empty when the run has none. The settings are
     * fixed in the code ({@link ProxyPeer}'s configs, {@code WeftServers}); the versions are the
     * binaries' own, as the run recorded them.
     */
    static String settings(List<Summary> summaries, RunInfo info) {
        StringBuilder s = new StringBuilder();
        if (!of(summaries, Protocol.PROXY).isEmpty()) {
            s.append(fmt(" reverse proxy: Weft's `ReverseProxy` (`keepalive(%d)`) as the fallback of an `HttpServer` on"
                    + " the same transport, in its own JVM; %s (`worker_processes 2`, upstream `keepalive 64`,"
                    + " `proxy_http_version 1.1`); %s (`nbthread 2`, `http-reuse always`, `maxconn %d`); each in front"
                    + " of one `netty-http` backend in a JVM of its own, started anew for each measurement; `direct` is"
                    + " the backend alone;", ServerKind.weftProxyKeepalive(), peerVersion(info, "nginx"),
                    peerVersion(info, "HAProxy"), HaproxyPeer.MAXCONN));
        }
        if (!of(summaries, Protocol.FORWARD).isEmpty()) {
            s.append(fmt(" forward proxy: Weft's `ForwardProxy` (`keepalive(%d)`, 127.0.0.1 allowed) as the fallback"
                    + " of an `HttpServer` on the same transport, in its own JVM; %s (`-N`, `workers 1`, `cache deny"
                    + " all`); %s (`MaxClients %d`; it closes every client connection after one response); wrk's"
                    + " absolute-form requests through each to one `netty-http` backend started anew for each"
                    + " measurement, `direct` straight to it; %d MiB uploads, each through a `CONNECT` tunnel of its"
                    + " own, to a sink in the uploading JVM, `direct` straight to the sink;",
                    ServerKind.weftProxyKeepalive(), peerVersion(info, "Squid"), peerVersion(info, "tinyproxy"),
                    TinyproxyPeer.MAX_CLIENTS, ForwardRun.TUNNEL_MIB));
        }
        if (!of(summaries, Protocol.TCP_PROXY).isEmpty()) {
            s.append(fmt(" TCP proxy: Weft's `TcpProxy` (defaults) on the same transport, in its own JVM; %s (`mode tcp`,"
                    + " `nbthread 2`, `maxconn %d`); the load client's 64-byte echo messages through each to one"
                    + " `netty` backend in a JVM of its own, started anew for each measurement; `direct` is the backend"
                    + " alone;", peerVersion(info, "HAProxy"), HaproxyPeer.MAXCONN));
        }
        return s.toString();
    }

    /** {@code nginx 1.22.1} as the run recorded it, or the name alone. */
    private static String peerVersion(RunInfo info, String name) {
        for (String p : info.peers().split(",\\s*")) {
            if (p.startsWith(name + " ")) {
                return p;
            }
        }
        return name;
    }

    /**
     * The reverse-proxy table: a row per connection count and proxy (in the order they ran in the
     * first repetition, {@code direct} among them), wrk's figures, the failures added up over the
     * repetitions, the proxy's CPU and context switches per request, and req/s against
     * {@code direct} in the same run.
     */
    static void reverse(StringBuilder md, List<Summary> summaries) {
        List<Summary> proxied = of(summaries, Protocol.PROXY);
        if (proxied.isEmpty()) {
            return;
        }
        md.append("\n### Reverse proxy: `GET /hello` through each proxy to one `netty-http` backend (wrk"
                + " `-t2 -cN --latency --timeout 2s`, its own figures; `direct`: no proxy; CPU and context switches"
                + " are the proxy's, for `direct` the backend's)\n\n");
        wrkTable(md, proxied);
    }

    /**
     * The forward proxy's tables: wrk's as the reverse proxy's, and the tunnel uploads' MiB/s (median
     * and range over the repetitions), against {@code direct}'s, the median upload's time, the
     * uploads that failed, the proxy's CPU and context switches per MiB.
     */
    static void forward(StringBuilder md, List<Summary> summaries) {
        List<Summary> forwarded = of(summaries, Protocol.FORWARD);
        List<Summary> wrk = forwarded.stream().filter(s -> s.scenario().tool() == Scenario.Tool.WRK).toList();
        if (!wrk.isEmpty()) {
            md.append("\n### Forward proxy: `GET http://127.0.0.1:BACKEND/hello` through each proxy to one `netty-http`"
                    + " backend (wrk `-t2 -cN --latency --timeout 2s` with absolute-form requests, its own figures;"
                    + " `direct`: `GET /hello` straight to the backend; CPU and context switches are the proxy's, for"
                    + " `direct` the backend's)\n\n");
            wrkTable(md, wrk);
        }
        List<Summary> tunnel = forwarded.stream().filter(s -> s.scenario().tool() == Scenario.Tool.TUNNEL).toList();
        if (tunnel.isEmpty()) {
            return;
        }
        md.append(fmt("%n### CONNECT tunnel: %d MiB uploads through each proxy to a local sink, one at a time, a new"
                + " tunnel for each (`direct`: straight to the sink); MiB/s over the measured uploads; CPU and context"
                + " switches are the proxy's%n%n", ForwardRun.TUNNEL_MIB));
        Optional<Summary> direct = tunnel.stream().filter(s -> s.server().equals(ServerKind.DIRECT.label()))
                .findFirst();
        List<List<String>> rows = new ArrayList<>();
        for (Summary x : tunnel) {
            rows.add(List.of(x.server(), range(x.msgsPerSec(), "%,.0f"), versusDirect(x, direct), ms(x.p50Us()),
                    fmt("%,d", x.errors() + x.timeouts() + x.connectErrors()), median(x.cpuPerMsgUs(), "%.0f"),
                    median(x.switchesPerMsg(), "%.1f")));
        }
        table(md, List.of("proxy", "MiB/s", "vs direct", "median upload", "failed uploads", "CPU µs/MiB",
                "context switches/MiB"), rows);
    }

    /**
     * The TCP-proxy table: a row per connection count and proxy (in the order they ran in the first
     * repetition, {@code direct} among them), the load client's msgs/s (median and range), msgs/s
     * against {@code direct}'s in the same run, p50 and p99 in µs (a proxy adds tens of them to a
     * round trip, which milliseconds would round away), the failures added up over the repetitions,
     * and the proxy's CPU and context switches per message.
     */
    static void tcp(StringBuilder md, List<Summary> summaries) {
        List<Summary> relayed = of(summaries, Protocol.TCP_PROXY);
        if (relayed.isEmpty()) {
            return;
        }
        md.append("\n### TCP proxy: 64-byte echo through each proxy to one `netty` backend (Weft's load client in its"
                + " own JVM, closed loop; `direct`: no proxy; CPU and context switches are the proxy's, for `direct`"
                + " the backend's)\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (int c : connections(relayed)) {
            Optional<Summary> direct = find(relayed, c, ServerKind.DIRECT.label());
            for (String server : servers(relayed)) {
                find(relayed, c, server).ifPresent(x -> rows.add(List.of(fmt("%,d", c), x.server(),
                        range(x.msgsPerSec(), "%,.0f"), versusDirect(x, direct), us(x.p50Us()), us(x.p99Us()),
                        fmt("%,d", x.timeouts()), fmt("%,d", x.errors() + x.connectErrors()),
                        median(x.cpuPerMsgUs(), "%.1f"), median(x.switchesPerMsg(), "%.2f"))));
            }
        }
        table(md, List.of("connections", "proxy", "msgs/s", "vs direct", "p50", "p99", "timeouts",
                "errors (connect, reply)", "CPU µs/msg", "context switches/msg"), rows);
    }

    /** The median in whole microseconds, or a dash when not measured. */
    static String us(Stat us) {
        return us.measured() ? fmt("%,.0f µs", us.median()) : "—";
    }

    /** A row per connection count and proxy of wrk's figures, as both proxy scenarios show them. */
    private static void wrkTable(StringBuilder md, List<Summary> list) {
        List<List<String>> rows = new ArrayList<>();
        for (int c : connections(list)) {
            Optional<Summary> direct = find(list, c, ServerKind.DIRECT.label());
            for (String server : servers(list)) {
                find(list, c, server).ifPresent(x -> rows.add(List.of(fmt("%,d", c), x.server(),
                        range(x.msgsPerSec(), "%,.0f"), versusDirect(x, direct), ms(x.p50Us()), ms(x.p99Us()),
                        fmt("%,d", x.timeouts()), fmt("%,d", x.errors() + x.connectErrors()),
                        median(x.cpuPerMsgUs(), "%.1f"), median(x.switchesPerMsg(), "%.2f"))));
            }
        }
        table(md, List.of("connections", "proxy", "req/s", "vs direct", "p50", "p99", "timeouts",
                "errors (non-2xx, socket)", "CPU µs/req", "context switches/req"), rows);
    }

    private static String versusDirect(Summary x, Optional<Summary> direct) {
        return direct.filter(d -> d.msgsPerSec().measured() && x.msgsPerSec().measured())
                .map(d -> fmt("%.2f×", x.msgsPerSec().median() / d.msgsPerSec().median())).orElse("");
    }

    private static List<Summary> of(List<Summary> summaries, Protocol protocol) {
        return summaries.stream().filter(s -> s.scenario().protocol() == protocol).toList();
    }
}
