package dev.weft.bench.harness;

import dev.weft.bench.Args;
import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@code ./weft bench}.
 *
 * <pre>./weft bench [--quick] [--reps 3] [--warmup 2] [--duration 6] [--connections 1000,10000,19000]
 *             [--echo-rate 20000] [--http-rate 10000] [--proxy-connections 100,1000]
 *             [--tcp-proxy-connections 1,100,1000] [--servers weft,netty,...] [--no-jmh] [--no-load]
 *             [--out benchmarks/results] [--jvm-flags "-XX:+UseSerialGC -Xms256m -Xmx2g --enable-native-access=ALL-UNNAMED"] [--update-readme]</pre>
 *
 * @param quick        tiny connection counts, one repetition, a few seconds per benchmark: proves that
 *                     everything starts, measures and stops (CI); its numbers are not for quoting
 * @param repetitions  how many times every server runs every scenario (servers alternate within each)
 * @param warmup       the load before each measured phase, unrecorded
 * @param duration     the measured phase of each load run
 * @param connections  the closed-loop connection counts
 * @param openConnections the open-loop connection count
 * @param echoRate     the echo open loop's offered messages per second
 * @param httpRate     the HTTP open loop's offered requests per second
 * @param proxyConnections the wrk connection counts of the reverse-proxy and forward-proxy scenarios
 * @param tcpProxyConnections the load client's connection counts through the TCP proxies
 * @param servers      the servers to compare
 * @param jmh          whether to run the JMH suite
 * @param load         whether to run the load harness
 * @param out          where results.json, results.md, the charts, jmh.json and logs go
 * @param jvmFlags     the flags of every JVM started: servers, load clients, JMH forks
 * @param updateReadme whether to replace the results section of README.md with this run's
 */
record BenchOptions(
        boolean quick,
        int repetitions,
        Duration warmup,
        Duration duration,
        List<Integer> connections,
        int openConnections,
        int echoRate,
        int httpRate,
        List<Integer> proxyConnections,
        List<Integer> tcpProxyConnections,
        List<ServerKind> servers,
        boolean jmh,
        boolean load,
        Path out,
        List<String> jvmFlags,
        boolean updateReadme) {

    static final String USAGE = "bench [--quick] [--reps 3] [--warmup 2] [--duration 6] [--connections 1000,10000,19000]"
            + " [--echo-rate 20000] [--http-rate 10000] [--proxy-connections 100,1000]"
            + " [--tcp-proxy-connections 1,100,1000]"
            + " [--servers " + String.join(",", ServerKind.labels()) + "]"
            + " [--no-jmh] [--no-load] [--out benchmarks/results] [--jvm-flags \"...\"] [--update-readme]";
    /** Native access on for everyone: Netty's epoll and Weft's use it, and would each print a warning. */
    static final String DEFAULT_JVM_FLAGS = "-XX:+UseSerialGC -Xms256m -Xmx2g --enable-native-access=ALL-UNNAMED";
    /** Connections a load client may open: each process may open 20,000 files here, the JVM needs some. */
    static final int MAX_CONNECTIONS = 19_500;
    /**
     * Connections through a proxy: it holds a client and a backend connection for each, and
     * HAProxy's {@code maxconn} is {@value HaproxyPeer#MAXCONN} (within the 20,000 open files; in
     * {@code mode tcp} too); tinyproxy's {@code MaxClients} is {@value TinyproxyPeer#MAX_CLIENTS}.
     */
    static final int MAX_PROXY_CONNECTIONS = 8_000;

    static BenchOptions parse(String[] args) {
        Args a = Args.parse("bench", args, "--quick", "--reps", "--warmup", "--duration", "--connections", "--echo-rate",
                "--http-rate", "--proxy-connections", "--tcp-proxy-connections", "--servers", "--no-jmh", "--no-load", "--out", "--jvm-flags", "--update-readme");
        boolean quick = a.flag("--quick");
        List<Integer> connections = ints("--connections", a.value("--connections", quick ? "50" : "1000,10000,19000"),
                MAX_CONNECTIONS, "the open-file limit is 20,000 per process");
        List<Integer> proxyConnections = ints("--proxy-connections",
                a.value("--proxy-connections", quick ? "50" : "100,1000"), MAX_PROXY_CONNECTIONS,
                "a proxy holds two connections for each, and HAProxy's maxconn is " + HaproxyPeer.MAXCONN);
        List<Integer> tcpProxyConnections = ints("--tcp-proxy-connections",
                a.value("--tcp-proxy-connections", quick ? "50" : "1,100,1000"), MAX_PROXY_CONNECTIONS,
                "a proxy holds two connections for each, and HAProxy's maxconn is " + HaproxyPeer.MAXCONN);
        int open = connections.contains(10_000) ? 10_000 : connections.get(connections.size() - 1);
        List<ServerKind> servers = new ArrayList<>();
        for (String label : a.value("--servers", String.join(",", ServerKind.labels())).split(",")) {
            try {
                servers.add(ServerKind.of(label.trim()));
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException("bench: " + e.getMessage());
            }
        }
        BenchOptions o = new BenchOptions(
                quick,
                range(a, "--reps", quick ? 1 : 3, 1, 20),
                Duration.ofSeconds(range(a, "--warmup", quick ? 1 : 2, 0, 600)),
                Duration.ofSeconds(range(a, "--duration", quick ? 2 : 6, 1, 600)),
                connections,
                open,
                range(a, "--echo-rate", quick ? 500 : 20_000, 1, 10_000_000),
                range(a, "--http-rate", quick ? 500 : 10_000, 1, 10_000_000),
                proxyConnections,
                tcpProxyConnections,
                List.copyOf(servers),
                !a.flag("--no-jmh"),
                !a.flag("--no-load"),
                Path.of(a.value("--out", quick ? "target/bench-quick" : "benchmarks/results")),
                List.of(a.value("--jvm-flags", DEFAULT_JVM_FLAGS).trim().split("\\s+")),
                a.flag("--update-readme"));
        if (o.updateReadme() && o.quick()) {
            throw new Args.UsageException("bench: --update-readme takes a full run; quick numbers are not quoted");
        }
        return o;
    }

    /**
     * The scenarios, in the order each repetition runs them: echo, HTTP, the reverse proxy (wrk only,
     * so none without it), the forward proxy (wrk, if it is there, and the tunnel uploads), then the
     * TCP proxy (the load client's closed loop of echo messages), each with the selected servers that
     * speak its protocol. {@code direct}, the reference of every proxy scenario, joins those whose
     * proxies are selected, or all three when no proxy is.
     */
    List<Scenario> scenarios(boolean wrkInstalled) {
        List<Scenario> all = new ArrayList<>();
        for (Protocol p : Protocol.values()) {
            List<ServerKind> of = servers.stream().filter(s -> s.speaks(p)).toList();
            if (of.isEmpty() || of.stream().allMatch(ServerKind::reference) && otherProxiesSelected(p)) {
                continue;
            }
            if (p == Protocol.PROXY || p == Protocol.FORWARD) {
                if (wrkInstalled) {
                    for (int c : proxyConnections) {
                        all.add(new Scenario(p, Scenario.Tool.WRK, c, 0, of));
                    }
                }
                if (p == Protocol.FORWARD) {
                    all.add(new Scenario(p, Scenario.Tool.TUNNEL, 1, 0, of));
                }
                continue;
            }
            if (p == Protocol.TCP_PROXY) {
                for (int c : tcpProxyConnections) {
                    all.add(new Scenario(p, Scenario.Tool.WEFT_CLIENT, c, 0, of));
                }
                continue;
            }
            for (int c : connections) {
                all.add(new Scenario(p, Scenario.Tool.WEFT_CLIENT, c, 0, of));
            }
            all.add(new Scenario(p, Scenario.Tool.WEFT_CLIENT, openConnections,
                    p == Protocol.ECHO ? echoRate : httpRate, of));
            if (p == Protocol.HTTP && wrkInstalled) {
                all.add(new Scenario(p, Scenario.Tool.WRK, openConnections, 0, of));
            }
        }
        return all;
    }

    /** Whether a proxy (not {@code direct}) of another proxy scenario than {@code p}'s is selected. */
    private boolean otherProxiesSelected(Protocol p) {
        return servers.stream()
                .anyMatch(s -> !s.reference() && s.protocol() != p && s.protocol().proxied());
    }

    private static List<Integer> ints(String flag, String csv, int max, String why) {
        List<Integer> values = new ArrayList<>();
        for (String s : csv.split(",")) {
            try {
                int v = Integer.parseInt(s.trim());
                if (v < 1 || v > max) {
                    throw new Args.UsageException("bench: " + flag + " must be 1.." + max
                            + " each (" + why + "), was " + v);
                }
                values.add(v);
            } catch (NumberFormatException e) {
                throw new Args.UsageException("bench: " + flag + " takes numbers separated by commas, was '"
                        + csv + "'");
            }
        }
        return List.copyOf(values);
    }

    private static int range(Args a, String flag, int fallback, int min, int max) {
        int v = a.intValue(flag, fallback);
        if (v < min || v > max) {
            throw new Args.UsageException("bench: " + flag + " must be " + min + ".." + max + ", was " + v);
        }
        return v;
    }
}
