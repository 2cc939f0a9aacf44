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
import java.util.concurrent.locks.LockSupport;

/**
 * Socket states and kernel TCP counters, refreshed: the view the TIME_WAIT, packet-loss and reset
 * case studies start from.
 *
 * <pre>./weft tcpstat [--port P] [--watch 1s] [--count N]</pre>
 */
public final class TcpStat {

    /** The counters shown as deltas, in the order printed. */
    static final String[] SHOWN = {"ActiveOpens", "PassiveOpens", "AttemptFails", "EstabResets", "OutRsts",
        "InSegs", "OutSegs", "RetransSegs", "ListenOverflows", "ListenDrops", "TCPTimeouts"};

    private TcpStat() {
    }

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

    public static void main(String[] args) throws IOException {
        Args a = Args.parse("tcpstat", args, "--port", "--watch", "--count");
        int port = a.intValue("--port", 0);
        boolean watch = a.flag("--watch");
        Duration interval = a.durationValue("--watch", Duration.ofSeconds(1));
        int count = a.intValue("--count", watch ? 10 : 1);
        if (!watch) {
            report(System.out, port, null);
            System.out.println("(--watch 1s adds the kernel counters' changes every second)");
            return;
        }
        TcpCounters previous = TcpCounters.read();
        for (int i = 0; i < count; i++) {
            LockSupport.parkNanos(interval.toNanos());
            TcpCounters now = TcpCounters.read();
            System.out.printf("--- %tT%n", System.currentTimeMillis());
            report(System.out, port, now.minus(previous));
            previous = now;
        }
    }
}
