package dev.weft.examples;

import dev.weft.diag.SocketEntry;
import dev.weft.diag.SocketTable;
import dev.weft.diag.TcpCounters;
import dev.weft.diag.TcpState;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Socket states and kernel TCP counters, refreshed: the view the TIME_WAIT, packet-loss and reset
 * case studies start from. An instance is the {@code tcpstat} subcommand.
 *
 * <pre>./weft tcpstat [--port P] [--watch 1s] [--count N]</pre>
 */
@Command(name = "tcpstat",
        description = {"Socket states like `ss -tan` and, with --watch, the kernel TCP counters' changes.",
            "Reads /proc/net/tcp, /proc/net/tcp6, /proc/net/snmp and /proc/net/netstat."})
public final class TcpStat implements Callable<Integer> {

    /** The counters shown as deltas, in the order printed. */
    static final String[] SHOWN = {"ActiveOpens", "PassiveOpens", "AttemptFails", "EstabResets", "OutRsts",
        "InSegs", "OutSegs", "RetransSegs", "ListenOverflows", "ListenDrops", "TCPTimeouts"};

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0", converter = CliTypes.Port.class,
            description = "Only sockets with this local or remote port (default: all sockets).")
    int port;

    @Option(names = "--watch", paramLabel = "INTERVAL", arity = "0..1", fallbackValue = "1s",
            description = "Report again every INTERVAL (1s when given alone), with the counters' changes.")
    Duration watch;

    @Option(names = "--count", paramLabel = "N", converter = CliTypes.Positive.class,
            description = "Reports to print with --watch (default: 10).")
    Integer count;

    @Spec
    CommandSpec spec;

    /** Prints one report: states (of sockets on {@code port}, or all when 0) and counter deltas. */
    static void report(PrintStream out, int port, TcpCounters delta) throws IOException {
        List<SocketEntry> sockets = SocketTable.read();
        if (port > 0) {
            sockets = SocketTable.withPort(sockets, port);
        }
        Map<TcpState, Integer> states = SocketTable.histogram(sockets);
        out.printf("sockets%s: %d%n", port > 0 ? " on port " + port : "", sockets.size());
        states.forEach((state, n) -> {
            if (n > 0) {
                out.printf("  %-12s %7d%n", state, n);
            }
        });
        if (delta != null) {
            out.println("kernel TCP counters, change since the last report:");
            for (String name : SHOWN) {
                out.printf("  %-16s %+10d%n", name, delta.get(name));
            }
            out.printf("  retransmitted    %9.3f%% of segments sent%n", 100 * delta.retransmitRate());
        }
    }

    @Override
    public Integer call() throws IOException {
        if (watch == null) {
            if (count != null) {
                throw new ParameterException(spec.commandLine(), "--count needs --watch");
            }
            report(System.out, port, null);
            System.out.println("(--watch 1s adds the kernel counters' changes every second)");
            return 0;
        }
        TcpCounters previous = TcpCounters.read();
        for (int i = 0, n = count == null ? 10 : count; i < n; i++) {
            LockSupport.parkNanos(watch.toNanos());
            TcpCounters now = TcpCounters.read();
            System.out.printf("--- %tT%n", System.currentTimeMillis());
            report(System.out, port, now.minus(previous));
            previous = now;
        }
        return 0;
    }
}
