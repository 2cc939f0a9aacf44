package dev.weft.bench.harness;

import dev.weft.bench.servers.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The targets of the benchmark issues, judged on a run's medians: Weft against Netty on the same
 * machine in the same run, its reverse proxy against nginx and HAProxy, its forward proxy against
 * Squid and tinyproxy and against no proxy, its TCP proxy against HAProxy in {@code mode tcp}. A target whose figures the run did not measure (a quick
 * run, a filtered one) is "not measured", never met.
 */
final class Targets {

    /** The connection count the headline targets are stated at. */
    static final int C10K = 10_000;
    /** The connection counts the reverse-proxy and forward-proxy targets are stated at. */
    static final List<Integer> PROXY_CONNECTIONS = List.of(100, 1_000);
    /** How many times the better of Squid's and tinyproxy's req/s Weft's forward proxy is to reach. */
    static final double FORWARD_FACTOR = 2.0;
    /** The share of a direct upload's throughput a tunnel is to keep. */
    static final double TUNNEL_SHARE = 0.9;
    /** The connection counts the TCP-proxy throughput target is stated at. */
    static final List<Integer> TCP_PROXY_CONNECTIONS = List.of(1, 100, 1_000);

    /**
     * One target's verdict.
     *
     * @param target    what is asked, in words
     * @param weft      Weft's figure, formatted
     * @param reference the figure it is compared with, formatted
     * @param ratio     Weft / reference (NaN when not measured or not a ratio)
     * @param verdict   {@code met}, {@code not met} or {@code not measured}
     */
    record Verdict(String target, String weft, String reference, double ratio, String verdict) {

        /** The ratio to three decimals, as {@code results.json} keeps it ({@code null} when NaN). */
        Verdict rounded() {
            return new Verdict(target, weft, reference, Report.round3(ratio), verdict);
        }
    }

    private Targets() {
    }

    static List<Verdict> judge(List<Summary> summaries, List<JmhRow> jmh) {
        List<Verdict> v = new ArrayList<>();
        v.add(atLeast("echo 64 B msgs/s, 10,000 conns: ≥ 1.0× Netty",
                closed(summaries, Protocol.ECHO, C10K, "weft"), closed(summaries, Protocol.ECHO, C10K, "netty"),
                s -> s.msgsPerSec().median(), "%,.0f msgs/s"));
        v.add(atMost("echo p99, 10,000 conns: ≤ Netty",
                closed(summaries, Protocol.ECHO, C10K, "weft"), closed(summaries, Protocol.ECHO, C10K, "netty"),
                s -> s.p99Us().median() / 1e3, "%,.1f ms"));
        v.add(atLeast("echo msgs/s, 1,000 conns: ≥ 1.0× Netty",
                closed(summaries, Protocol.ECHO, 1_000, "weft"), closed(summaries, Protocol.ECHO, 1_000, "netty"),
                s -> s.msgsPerSec().median(), "%,.0f msgs/s"));
        v.add(echo100(jmh));
        v.add(atLeast("HTTP hello req/s, 10,000 conns: ≥ Netty",
                closed(summaries, Protocol.HTTP, C10K, "weft-http"),
                closed(summaries, Protocol.HTTP, C10K, "netty-http"),
                s -> s.msgsPerSec().median(), "%,.0f req/s"));
        v.add(noTimeouts(summaries));
        v.add(atMost("memory per idle conn, 10,000 conns: RSS ≤ Netty's",
                closed(summaries, Protocol.ECHO, C10K, "weft"), closed(summaries, Protocol.ECHO, C10K, "netty"),
                s -> s.rssPerConnKiB().median(), "%.2f KiB"));
        v.add(reverseProxy(summaries));
        v.add(forwardProxy(summaries));
        v.add(tunnel(summaries));
        v.add(tcpProxy(summaries));
        v.add(tcpLatency(summaries));
        return v;
    }

    /**
     * Weft's TCP proxy against HAProxy in {@code mode tcp}, at 1, 100 and 1,000 connections: msgs/s at
     * least HAProxy's at each. The ratio is the lowest of the three (met from 1.00×); "not measured"
     * unless both were measured at all three counts.
     */
    private static Verdict tcpProxy(List<Summary> summaries) {
        String target = "TCP proxy msgs/s at 1 / 100 / 1,000 conns: ≥ 1.0× HAProxy `mode tcp`";
        List<String> weftRates = new ArrayList<>();
        List<String> haproxyRates = new ArrayList<>();
        double ratio = Double.POSITIVE_INFINITY;
        for (int c : TCP_PROXY_CONNECTIONS) {
            Optional<Summary> weft = relayed(summaries, c, "weft-tcp-proxy");
            Optional<Summary> haproxy = relayed(summaries, c, "haproxy-tcp");
            if (weft.isEmpty() || haproxy.isEmpty()) {
                return notMeasured(target);
            }
            double w = weft.get().msgsPerSec().median();
            double h = haproxy.get().msgsPerSec().median();
            if (!Double.isFinite(w) || !(h > 0)) {
                return notMeasured(target);
            }
            ratio = Math.min(ratio, w / h);
            weftRates.add(Report.fmt("%,.0f", w));
            haproxyRates.add(Report.fmt("%,.0f", h));
        }
        return new Verdict(target, Report.fmt("%s msgs/s", String.join(" / ", weftRates)),
                Report.fmt("HAProxy %s msgs/s", String.join(" / ", haproxyRates)), ratio,
                ratio >= 1.0 ? "met" : "not met");
    }

    /**
     * The time Weft's TCP proxy adds to a round trip on one connection, its p50 less {@code direct}'s in
     * the same run, at most HAProxy's. The ratio is Weft's added time over HAProxy's, NaN when
     * HAProxy's is not above zero (then only the comparison says anything: a busier machine during
     * {@code direct}'s run can make a proxy look free); "not measured" unless all three were measured.
     */
    private static Verdict tcpLatency(List<Summary> summaries) {
        String target = "TCP proxy latency added at 1 conn (p50 − direct's p50): ≤ HAProxy's";
        Optional<Summary> weft = relayed(summaries, 1, "weft-tcp-proxy");
        Optional<Summary> haproxy = relayed(summaries, 1, "haproxy-tcp");
        Optional<Summary> direct = relayed(summaries, 1, "direct");
        if (weft.isEmpty() || haproxy.isEmpty() || direct.isEmpty()) {
            return notMeasured(target);
        }
        double w = weft.get().p50Us().median();
        double h = haproxy.get().p50Us().median();
        double d = direct.get().p50Us().median();
        if (!Double.isFinite(w) || !Double.isFinite(h) || !Double.isFinite(d)) {
            return notMeasured(target);
        }
        double weftAdded = w - d;
        double haproxyAdded = h - d;
        return new Verdict(target, Report.fmt("%.1f µs added (p50 %.1f µs)", weftAdded, w),
                Report.fmt("HAProxy %.1f µs added (p50 %.1f µs), direct p50 %.1f µs", haproxyAdded, h, d),
                haproxyAdded > 0 ? weftAdded / haproxyAdded : Double.NaN,
                weftAdded <= haproxyAdded ? "met" : "not met");
    }

    /** The TCP-proxy scenario's summary for one connection count and server, if it measured anything. */
    static Optional<Summary> relayed(List<Summary> summaries, int connections, String server) {
        return summaries.stream()
                .filter(s -> s.scenario().protocol() == Protocol.TCP_PROXY && s.scenario().connections() == connections
                        && s.server().equals(server) && s.msgsPerSec().measured())
                .findFirst();
    }

    /**
     * Weft's forward proxy against Squid and tinyproxy, at 100 and at 1,000 connections: req/s at
     * least {@value #FORWARD_FACTOR} times the better peer's at each, no timeouts or errors (a non-2xx
     * answer is no request served) in any repetition. The ratio is the lower of the two req/s ratios
     * to the better peer (met from 2.00×); "not measured" unless all three were measured at both counts.
     */
    private static Verdict forwardProxy(List<Summary> summaries) {
        String target = "forward proxy req/s, 100 and 1,000 conns: ≥ 2× the better of Squid and tinyproxy,"
                + " 0 timeouts, 0 errors";
        List<String> weftRps = new ArrayList<>();
        List<String> bestRps = new ArrayList<>();
        double ratio = Double.POSITIVE_INFINITY;
        long bad = 0;
        for (int c : PROXY_CONNECTIONS) {
            Optional<Summary> weft = forwarded(summaries, Scenario.Tool.WRK, c, "weft-fwd");
            Optional<Summary> squid = forwarded(summaries, Scenario.Tool.WRK, c, "squid");
            Optional<Summary> tinyproxy = forwarded(summaries, Scenario.Tool.WRK, c, "tinyproxy");
            if (weft.isEmpty() || squid.isEmpty() || tinyproxy.isEmpty()) {
                return notMeasured(target);
            }
            double w = weft.get().msgsPerSec().median();
            double best = Math.max(squid.get().msgsPerSec().median(), tinyproxy.get().msgsPerSec().median());
            if (!Double.isFinite(w) || !(best > 0)) {
                return notMeasured(target);
            }
            ratio = Math.min(ratio, w / best);
            bad += weft.get().timeouts() + weft.get().errors() + weft.get().connectErrors();
            weftRps.add(Report.fmt("%,.0f", w));
            bestRps.add(Report.fmt("%,.0f", best));
        }
        boolean met = ratio >= FORWARD_FACTOR && bad == 0;
        return new Verdict(target,
                Report.fmt("%s req/s, %,d timeouts + errors", String.join(" / ", weftRps), bad),
                Report.fmt("better peer %s req/s", String.join(" / ", bestRps)), ratio, met ? "met" : "not met");
    }

    /**
     * Weft's {@code CONNECT} tunnel against a direct connection: the uploads' MiB/s at least
     * {@value #TUNNEL_SHARE} of {@code direct}'s, and no upload failed in any repetition.
     */
    private static Verdict tunnel(List<Summary> summaries) {
        String target = "CONNECT tunnel, 100 MiB uploads: ≥ 0.9× direct's MiB/s, 0 errors";
        Optional<Summary> weft = forwarded(summaries, Scenario.Tool.TUNNEL, 1, "weft-fwd");
        Optional<Summary> direct = forwarded(summaries, Scenario.Tool.TUNNEL, 1, "direct");
        if (weft.isEmpty() || direct.isEmpty()) {
            return notMeasured(target);
        }
        double w = weft.get().msgsPerSec().median();
        double d = direct.get().msgsPerSec().median();
        if (!Double.isFinite(w) || !(d > 0)) {
            return notMeasured(target);
        }
        long bad = weft.get().errors() + weft.get().timeouts() + weft.get().connectErrors();
        boolean met = w / d >= TUNNEL_SHARE && bad == 0;
        return new Verdict(target, Report.fmt("%,.0f MiB/s, %,d errors", w, bad), Report.fmt("direct %,.0f MiB/s", d),
                w / d, met ? "met" : "not met");
    }

    /** The forward-proxy scenario's summary for one tool, connection count and server, if it measured anything. */
    static Optional<Summary> forwarded(List<Summary> summaries, Scenario.Tool tool, int connections, String server) {
        return summaries.stream()
                .filter(s -> s.scenario().protocol() == Protocol.FORWARD && s.scenario().tool() == tool
                        && s.scenario().connections() == connections && s.server().equals(server)
                        && s.msgsPerSec().measured())
                .findFirst();
    }

    /**
     * Weft's reverse proxy against nginx and HAProxy, at 100 and at 1,000 connections: req/s at
     * least the better peer's at each, no timeouts or errors in any repetition, p99 at most
     * HAProxy's at each. The ratio is the lower of the two req/s ratios; "not measured" unless all
     * three proxies were measured at both counts.
     */
    private static Verdict reverseProxy(List<Summary> summaries) {
        String target = "reverse proxy req/s, 100 and 1,000 conns: ≥ the better of nginx and HAProxy,"
                + " 0 timeouts, 0 errors, p99 ≤ HAProxy's";
        List<String> weftRps = new ArrayList<>();
        List<String> weftP99 = new ArrayList<>();
        List<String> bestRps = new ArrayList<>();
        List<String> haproxyP99 = new ArrayList<>();
        double ratio = Double.POSITIVE_INFINITY;
        boolean p99Met = true;
        long bad = 0;
        for (int c : PROXY_CONNECTIONS) {
            Optional<Summary> weft = proxied(summaries, c, "weft-proxy");
            Optional<Summary> nginx = proxied(summaries, c, "nginx-proxy");
            Optional<Summary> haproxy = proxied(summaries, c, "haproxy-proxy");
            if (weft.isEmpty() || nginx.isEmpty() || haproxy.isEmpty()) {
                return notMeasured(target);
            }
            double w = weft.get().msgsPerSec().median();
            double best = Math.max(nginx.get().msgsPerSec().median(), haproxy.get().msgsPerSec().median());
            double wp99 = weft.get().p99Us().median();
            double hp99 = haproxy.get().p99Us().median();
            if (!Double.isFinite(w) || !(best > 0) || !Double.isFinite(wp99) || !Double.isFinite(hp99)) {
                return notMeasured(target);
            }
            ratio = Math.min(ratio, w / best);
            p99Met &= wp99 <= hp99;
            bad += weft.get().timeouts() + weft.get().errors() + weft.get().connectErrors();
            weftRps.add(Report.fmt("%,.0f", w));
            bestRps.add(Report.fmt("%,.0f", best));
            weftP99.add(Report.fmt("%.2f", wp99 / 1e3));
            haproxyP99.add(Report.fmt("%.2f", hp99 / 1e3));
        }
        boolean met = ratio >= 1.0 && p99Met && bad == 0;
        return new Verdict(target,
                Report.fmt("%s req/s, p99 %s ms, %,d timeouts + errors", String.join(" / ", weftRps),
                        String.join(" / ", weftP99), bad),
                Report.fmt("better peer %s req/s, HAProxy p99 %s ms", String.join(" / ", bestRps),
                        String.join(" / ", haproxyP99)),
                ratio, met ? "met" : "not met");
    }

    /** The reverse-proxy scenario's summary for one connection count and proxy, if it measured anything. */
    static Optional<Summary> proxied(List<Summary> summaries, int connections, String server) {
        return summaries.stream()
                .filter(s -> s.scenario().protocol() == Protocol.PROXY && s.scenario().connections() == connections
                        && s.server().equals(server) && s.msgsPerSec().measured())
                .findFirst();
    }

    /** The load client's closed-loop summary for one protocol, connection count and server. */
    static Optional<Summary> closed(List<Summary> summaries, Protocol protocol, int connections, String server) {
        return summaries.stream()
                .filter(s -> s.scenario().protocol() == protocol && s.scenario().tool() == Scenario.Tool.WEFT_CLIENT
                        && s.scenario().rate() == 0 && s.scenario().connections() == connections
                        && s.server().equals(server) && s.msgsPerSec().measured())
                .findFirst();
    }

    private static Verdict atLeast(String target, Optional<Summary> weft, Optional<Summary> ref,
            java.util.function.ToDoubleFunction<Summary> figure, String format) {
        return compare(target, weft, ref, figure, format, true);
    }

    private static Verdict atMost(String target, Optional<Summary> weft, Optional<Summary> ref,
            java.util.function.ToDoubleFunction<Summary> figure, String format) {
        return compare(target, weft, ref, figure, format, false);
    }

    private static Verdict compare(String target, Optional<Summary> weft, Optional<Summary> ref,
            java.util.function.ToDoubleFunction<Summary> figure, String format, boolean higherIsBetter) {
        if (weft.isEmpty() || ref.isEmpty()) {
            return notMeasured(target);
        }
        return ratio(target, figure.applyAsDouble(weft.get()), figure.applyAsDouble(ref.get()), format,
                higherIsBetter);
    }

    static Verdict ratio(String target, double w, double r, String format, boolean higherIsBetter) {
        if (!Double.isFinite(w) || !Double.isFinite(r) || r == 0) {
            return notMeasured(target);
        }
        double ratio = w / r;
        boolean met = higherIsBetter ? ratio >= 1.0 : ratio <= 1.0;
        return new Verdict(target, Report.fmt(format, w), Report.fmt(format, r), ratio, met ? "met" : "not met");
    }

    /**
     * 100 connections come from JMH's EchoRoundTripBenchmark: one op is one message on each of the
     * 100 connections, so messages per second are ops per second times 100.
     */
    private static Verdict echo100(List<JmhRow> jmh) {
        String target = "echo msgs/s, 100 conns (JMH): ≥ 1.0× Netty";
        Optional<JmhRow> weft = echoRow(jmh, "weft");
        Optional<JmhRow> netty = echoRow(jmh, "netty");
        if (weft.isEmpty() || netty.isEmpty()) {
            return notMeasured(target);
        }
        return ratio(target, opsPerSecond(weft.get()) * 100, opsPerSecond(netty.get()) * 100, "%,.0f msgs/s", true);
    }

    /**
     * A JMH score as operations per second, whether the benchmark reports throughput ({@code ops/ms})
     * or average time ({@code us/op}); NaN for a unit JMH does not use.
     */
    static double opsPerSecond(JmhRow row) {
        String[] unit = row.unit().split("/");
        if (unit.length != 2) {
            return Double.NaN;
        }
        if (unit[0].equals("ops")) {
            return row.score() / seconds(unit[1]);
        }
        if (unit[1].equals("op")) {
            return 1 / (row.score() * seconds(unit[0]));
        }
        return Double.NaN;
    }

    private static double seconds(String unit) {
        return switch (unit) {
            case "s" -> 1;
            case "ms" -> 1e-3;
            case "us" -> 1e-6;
            case "ns" -> 1e-9;
            case "min" -> 60;
            default -> Double.NaN;
        };
    }

    private static Optional<JmhRow> echoRow(List<JmhRow> jmh, String server) {
        return jmh.stream()
                .filter(r -> r.benchmark().startsWith("EchoRoundTripBenchmark.")
                        && List.of(r.params().split(" ")).containsAll(List.of("server=" + server, "connections=100")))
                .findFirst();
    }

    private static Verdict noTimeouts(List<Summary> summaries) {
        String target = "HTTP, 10,000 conns: 0 timeouts, 0 errors (load client and wrk)";
        List<Summary> weft = summaries.stream()
                .filter(s -> s.scenario().protocol() == Protocol.HTTP && s.scenario().rate() == 0
                        && s.scenario().connections() == C10K && s.server().equals("weft-http"))
                .toList();
        List<Summary> netty = summaries.stream()
                .filter(s -> s.scenario().protocol() == Protocol.HTTP && s.scenario().rate() == 0
                        && s.scenario().connections() == C10K && s.server().equals("netty-http"))
                .toList();
        if (weft.isEmpty()) {
            return notMeasured(target);
        }
        long bad = weft.stream().mapToLong(s -> s.timeouts() + s.errors() + s.connectErrors()).sum();
        long nettyBad = netty.stream().mapToLong(s -> s.timeouts() + s.errors() + s.connectErrors()).sum();
        return new Verdict(target, Report.fmt("%,d timeouts + errors", bad),
                netty.isEmpty() ? "" : Report.fmt("%,d", nettyBad), Double.NaN, bad == 0 ? "met" : "not met");
    }

    private static Verdict notMeasured(String target) {
        return new Verdict(target, "", "", Double.NaN, "not measured");
    }
}
