package dev.weft.diag;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The machine's TCP sockets, read from {@code /proc/net/tcp} and {@code /proc/net/tcp6}: what
 * {@code ss -tan} shows, as data. Reading is a snapshot of the whole network namespace, not just
 * this process. Thread-safe (stateless).
 */
public final class SocketTable {

    private static final Path TCP = Path.of("/proc/net/tcp");
    private static final Path TCP6 = Path.of("/proc/net/tcp6");

    private SocketTable() {
    }

    /**
     * Every TCP socket, IPv4 and IPv6.
     *
     * @throws IOException where {@code /proc/net/tcp} cannot be read (not Linux)
     */
    public static List<SocketEntry> read() throws IOException {
        List<SocketEntry> all = new ArrayList<>(parse(Files.readString(TCP)));
        if (Files.exists(TCP6)) {
            all.addAll(parse(Files.readString(TCP6)));
        }
        return all;
    }

    /** Counts sockets by state; every state is present, zeros included. */
    public static Map<TcpState, Integer> histogram(Collection<SocketEntry> entries) {
        Map<TcpState, Integer> counts = new EnumMap<>(TcpState.class);
        for (TcpState s : TcpState.values()) {
            counts.put(s, 0);
        }
        for (SocketEntry e : entries) {
            counts.merge(e.state(), 1, Integer::sum);
        }
        return counts;
    }

    /** The entries whose local or remote port is {@code port}. */
    public static List<SocketEntry> withPort(Collection<SocketEntry> entries, int port) {
        return entries.stream().filter(e -> e.hasPort(port)).toList();
    }

    /**
     * Parses the text of {@code /proc/net/tcp} or {@code /proc/net/tcp6}: a header line, then one
     * socket per line, {@code sl local_address rem_address st tx_queue:rx_queue ...}, addresses in
     * hex as the kernel stores them (each 32-bit word in host, that is little-endian, byte order).
     */
    static List<SocketEntry> parse(String text) {
        List<SocketEntry> entries = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 5) {
                continue;
            }
            String[] queues = f[4].split(":");
            entries.add(new SocketEntry(address(f[1]), address(f[2]), TcpState.ofCode(Integer.parseInt(f[3], 16)),
                    Long.parseLong(queues[0], 16), Long.parseLong(queues[1], 16)));
        }
        return entries;
    }

    /** {@code 0100007F:1F90} is 127.0.0.1:8080; IPv6 has 32 hex digits before the colon. */
    static InetSocketAddress address(String hex) {
        int colon = hex.indexOf(':');
        String ip = hex.substring(0, colon);
        byte[] bytes = new byte[ip.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                // Byte b of the word sits at hex position (3 - b) of that word: little-endian.
                int at = word * 8 + (3 - b) * 2;
                bytes[word * 4 + b] = (byte) Integer.parseInt(ip.substring(at, at + 2), 16);
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), Integer.parseInt(hex.substring(colon + 1), 16));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address " + hex, e);
        }
    }
}
