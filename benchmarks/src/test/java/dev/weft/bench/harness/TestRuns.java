package dev.weft.bench.harness;

import dev.weft.bench.load.LoadResult;
import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Known measurements for the report tests: three repetitions of Weft against Netty, each figure
 * chosen so that its median, minimum and maximum are easy to read off.
 *
 * <pre>
 * scenario                  server      msgs/s per rep          p99 µs per rep        RSS KiB per rep
 * echo closed 1000          weft        90k, 100k, 110k         5000, 6000, 7000      —
 *                           netty       80k, 95k, 85k           8000, 9000, 10000     —
 * echo closed 10000         weft        60k, 50k, 70k           20000, 30000, 25000   3.0, 3.2, 3.1 (heap 1.5)
 *                           netty       64k, 62k, 66k           40000, 35000, 50000   2.0, 2.2, 2.1 (no heap)
 * echo open 10000 @20000/s  weft        19990, 20000, 19995     5000                  —
 *                           netty       19980, 19985, 19990     9000                  —
 * http closed 10000         weft-http   40k, 42k, 44k           100000                —
 *                           netty-http  45k, 40k, 41k           90000                 —
 * http wrk 10000            weft-http   50k, 52k, 51k           80000                 —  (wrk: no p99.9)
 *                           netty-http  49k, 48k, 47k           70000                 —  7 timeouts in rep 2
 * </pre>
 *
 * Server CPU: weft 10 µs and 0.5 switches per message, everyone else 8 µs and 0.25.
 */
final class TestRuns {

    static final List<ServerKind> ECHO = List.of(ServerKind.WEFT, ServerKind.NETTY);
    static final List<ServerKind> HTTP = List.of(ServerKind.WEFT_HTTP, ServerKind.NETTY_HTTP);
    static final Scenario ECHO_1K = new Scenario(Protocol.ECHO, Scenario.Tool.WEFT_CLIENT, 1_000, 0, ECHO);
    static final Scenario ECHO_10K = new Scenario(Protocol.ECHO, Scenario.Tool.WEFT_CLIENT, 10_000, 0, ECHO);
    static final Scenario ECHO_OPEN = new Scenario(Protocol.ECHO, Scenario.Tool.WEFT_CLIENT, 10_000, 20_000, ECHO);
    static final Scenario HTTP_10K = new Scenario(Protocol.HTTP, Scenario.Tool.WEFT_CLIENT, 10_000, 0, HTTP);
    static final Scenario WRK_10K = new Scenario(Protocol.HTTP, Scenario.Tool.WRK, 10_000, 0, HTTP);

    private TestRuns() {
    }

    static List<Measurement> full() {
        List<Measurement> all = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            int rep = r + 1;
            all.add(run(ECHO_1K, "weft", rep, pick(r, 90_000, 100_000, 110_000), pick(r, 5_000, 6_000, 7_000)));
            all.add(run(ECHO_1K, "netty", rep, pick(r, 80_000, 95_000, 85_000), pick(r, 8_000, 9_000, 10_000)));
            all.add(withMemory(run(ECHO_10K, "weft", rep, pick(r, 60_000, 50_000, 70_000),
                    pick(r, 20_000, 30_000, 25_000)), pick(r, 3.0, 3.2, 3.1), 1.5));
            all.add(withMemory(run(ECHO_10K, "netty", rep, pick(r, 64_000, 62_000, 66_000),
                    pick(r, 40_000, 35_000, 50_000)), pick(r, 2.0, 2.2, 2.1), Double.NaN));
            all.add(run(ECHO_OPEN, "weft", rep, pick(r, 19_990, 20_000, 19_995), 5_000));
            all.add(run(ECHO_OPEN, "netty", rep, pick(r, 19_980, 19_985, 19_990), 9_000));
            all.add(run(HTTP_10K, "weft-http", rep, pick(r, 40_000, 42_000, 44_000), 100_000));
            all.add(run(HTTP_10K, "netty-http", rep, pick(r, 45_000, 40_000, 41_000), 90_000));
            all.add(run(WRK_10K, "weft-http", rep, pick(r, 50_000, 52_000, 51_000), 80_000));
            all.add(run(WRK_10K, "netty-http", rep, pick(r, 49_000, 48_000, 47_000), 70_000, 0, rep == 2 ? 7 : 0));
        }
        return all;
    }

    static List<JmhRow> jmh() {
        return List.of(
                new JmhRow("EchoRoundTripBenchmark.roundTrip", "server=weft connections=1", 30_000, 500, "ops/s",
                        Double.NaN),
                new JmhRow("EchoRoundTripBenchmark.roundTrip", "server=weft connections=100", 2_000, 40, "ops/s",
                        Double.NaN),
                new JmhRow("EchoRoundTripBenchmark.roundTrip", "server=netty connections=100", 2_500, 60, "ops/s",
                        Double.NaN),
                new JmhRow("HttpParseBenchmark.parse", "", 1.234, Double.NaN, "us/op", 312));
    }

    static Report report(List<Measurement> runs, List<JmhRow> jmh) {
        return new Report(info(3, false), runs, jmh);
    }

    static RunInfo info(int repetitions, boolean quick) {
        return new RunInfo("./weft bench --reps " + repetitions, Instant.parse("2026-11-25T03:00:00Z"),
                Duration.ofSeconds(25 * 60 + 7), "OpenJDK 64-Bit Server VM 21.0.5+11", List.of("-XX:+UseSerialGC",
                        "-Xmx2g"), "2 cores (Test CPU), 8.0 GiB, Linux 6.1.0", quick, repetitions, "EPOLL",
                "echoPerMessage");
    }

    static Measurement run(Scenario s, String server, int rep, double msgsPerSec, double p99Us) {
        return run(s, server, rep, msgsPerSec, p99Us, 0, 0);
    }

    /** A measurement lasting 10 s; p50 is a fifth of p99, p99.9 four times it (NaN for wrk). */
    static Measurement run(Scenario s, String server, int rep, double msgsPerSec, double p99Us, long errors,
            long timeouts) {
        boolean wrk = s.tool() == Scenario.Tool.WRK;
        LoadResult r = new LoadResult(s.protocol().name().toLowerCase(Locale.ROOT), s.rate(), s.connections(), 0,
                errors, timeouts, (long) (msgsPerSec * 10), 10, msgsPerSec, p99Us / 5, p99Us,
                wrk ? Double.NaN : p99Us * 4, p99Us * 8, "");
        boolean weft = server.startsWith("weft");
        return new Measurement(s, server, rep, r, Double.NaN, Double.NaN, weft ? 10 : 8, weft ? 0.5 : 0.25);
    }

    /** A run that never got going: no messages, every connection failed. */
    static Measurement failed(Scenario s, String server, int rep) {
        LoadResult r = new LoadResult(s.protocol().name().toLowerCase(Locale.ROOT), s.rate(), 0, s.connections(), 0,
                0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "refused");
        return new Measurement(s, server, rep, r, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    static Measurement withMemory(Measurement m, double rss, double heap) {
        return new Measurement(m.scenario(), m.server(), m.repetition(), m.result(), rss, heap,
                m.serverCpuPerMsgUs(), m.serverSwitchesPerMsg());
    }

    private static double pick(int rep, double first, double second, double third) {
        return switch (rep) {
            case 0 -> first;
            case 1 -> second;
            default -> third;
        };
    }
}
