package dev.weft.diag;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of the kernel's TCP counters: the {@code Tcp:} lines of {@code /proc/net/snmp}
 * (RetransSegs, InSegs, OutSegs, OutRsts, AttemptFails, EstabResets, ActiveOpens, PassiveOpens,
 * CurrEstab, InErrs, ...) and the {@code TcpExt:} lines of {@code /proc/net/netstat}
 * (ListenOverflows, ListenDrops, TCPTimeouts, TCPLostRetransmit, TCPAbortOnData, ...). Counters are
 * for the whole network namespace. Immutable.
 *
 * <p>Reading them: packet loss shows as RetransSegs growing faster than usual against OutSegs
 * ({@link #retransmitRate()} over a delta); a full accept queue as ListenOverflows/ListenDrops;
 * peers resetting as EstabResets and OutRsts; connects failing as AttemptFails.
 */
public final class TcpCounters {

    private static final Path SNMP = Path.of("/proc/net/snmp");
    private static final Path NETSTAT = Path.of("/proc/net/netstat");

    private final Map<String, Long> values;

    private TcpCounters(Map<String, Long> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Reads the counters now.
     *
     * @throws IOException where {@code /proc/net/snmp} cannot be read (not Linux)
     */
    public static TcpCounters read() throws IOException {
        return parse(Files.readString(SNMP), Files.exists(NETSTAT) ? Files.readString(NETSTAT) : "");
    }

    /** Whether this system has the files (Linux with /proc). */
    public static boolean available() {
        return Files.isReadable(SNMP);
    }

    /** Parses header/value line pairs: {@code Tcp: RtoAlgorithm ...} then {@code Tcp: 1 ...}. */
    static TcpCounters parse(String snmp, String netstat) {
        Map<String, Long> values = new LinkedHashMap<>();
        pairs(snmp, "Tcp:", values);
        pairs(netstat, "TcpExt:", values);
        return new TcpCounters(values);
    }

    private static void pairs(String text, String prefix, Map<String, Long> into) {
        String[] lines = text.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith(prefix) && lines[i + 1].startsWith(prefix)) {
                String[] names = lines[i].trim().split("\\s+");
                String[] numbers = lines[i + 1].trim().split("\\s+");
                for (int k = 1; k < Math.min(names.length, numbers.length); k++) {
                    into.put(names[k], Long.parseLong(numbers[k]));
                }
                i++;
            }
        }
    }

    /** The counter's value, or 0 if this kernel does not have it. */
    public long get(String name) {
        return values.getOrDefault(name, 0L);
    }

    /** Every counter by its kernel name, in file order. */
    public Map<String, Long> all() {
        return values;
    }

    /** What changed since {@code earlier}: each counter's difference (gauges like CurrEstab too). */
    public TcpCounters minus(TcpCounters earlier) {
        Map<String, Long> delta = new LinkedHashMap<>();
        values.forEach((name, value) -> delta.put(name, value - earlier.get(name)));
        return new TcpCounters(delta);
    }

    /** RetransSegs / OutSegs: on a delta, the share of segments sent again (0 when nothing was sent). */
    public double retransmitRate() {
        long out = get("OutSegs");
        return out <= 0 ? 0 : (double) get("RetransSegs") / out;
    }
}
