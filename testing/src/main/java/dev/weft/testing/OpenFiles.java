package dev.weft.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * This process's open file descriptors, for {@link LeakCheck}: the entries of
 * {@code /proc/self/fd} (Linux) with what each points to ({@code socket:[1234]},
 * {@code pipe:[99]}, {@code /tmp/x.txt}), and for sockets the TCP or UDP connection behind the
 * inode, from {@code /proc/self/net/tcp}, {@code tcp6}, {@code udp} and {@code udp6}.
 */
final class OpenFiles {

    private static final Path FD_DIR = Path.of("/proc/self/fd");
    private static final List<String> SOCKET_TABLES = List.of("tcp", "tcp6", "udp", "udp6");
    private static final String[] TCP_STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
        "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    private OpenFiles() {
    }

    /** Whether descriptors can be listed here. */
    static boolean available() {
        return Files.isDirectory(FD_DIR) && Files.isReadable(FD_DIR);
    }

    /**
     * Descriptor number to target. The listing's own descriptors (they point at the
     * {@code /proc/<pid>/fd} directory) are left out.
     */
    static Map<Integer, String> list() {
        Map<Integer, String> fds = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(FD_DIR)) {
            for (Path entry : entries) {
                String target;
                try {
                    target = Files.readSymbolicLink(entry).toString();
                } catch (NoSuchFileException closedMeanwhile) {
                    continue;
                }
                if (!target.matches("/proc/(self|\\d+)/fd")) {
                    fds.put(Integer.parseInt(entry.getFileName().toString()), target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + FD_DIR, e);
        }
        return fds;
    }

    /**
     * Socket inode to a description like {@code tcp 127.0.0.1:40312 -> 127.0.0.1:8080 ESTABLISHED}
     * (or {@code tcp 127.0.0.1:8080 LISTEN}, without a peer); tables that cannot be read are skipped.
     */
    static Map<Long, String> sockets() {
        Map<Long, String> byInode = new HashMap<>();
        for (String table : SOCKET_TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of("/proc/self/net", table));
            } catch (IOException | UncheckedIOException e) {
                continue;
            }
            String protocol = table.startsWith("tcp") ? "tcp" : "udp";
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10) {
                    continue;
                }
                try {
                    int state = Integer.parseInt(f[3], 16);
                    String stateName = protocol.equals("udp") ? "" : " " + (state < TCP_STATES.length ? TCP_STATES[state] : f[3]);
                    boolean noPeer = f[2].matches("0+:0000");
                    byInode.put(Long.parseLong(f[9]), protocol + " " + endpoint(f[1])
                            + (noPeer ? "" : " -> " + endpoint(f[2])) + stateName);
                } catch (NumberFormatException | UnknownHostException e) {
                    // a line in a format not known here: leave the socket undescribed
                }
            }
        }
        return byInode;
    }

    /** {@code target}, followed by the connection behind it if it is a socket found in {@code sockets}. */
    static String describe(String target, Map<Long, String> sockets) {
        if (target.startsWith("socket:[") && target.endsWith("]")) {
            try {
                String connection = sockets.get(Long.parseLong(target.substring(8, target.length() - 1)));
                if (connection != null) {
                    return target + " (" + connection + ")";
                }
            } catch (NumberFormatException e) {
                return target;
            }
        }
        return target;
    }

    /**
     * {@code 0100007F:1F90} to {@code 127.0.0.1:8080}: the address is 32-bit words in the kernel's
     * byte order (4 of them for IPv6), the port hex.
     */
    private static String endpoint(String hex) throws UnknownHostException {
        int colon = hex.indexOf(':');
        String address = hex.substring(0, colon);
        ByteBuffer bytes = ByteBuffer.allocate(address.length() / 2).order(ByteOrder.nativeOrder());
        for (int i = 0; i < address.length(); i += 8) {
            bytes.putInt(Integer.parseUnsignedInt(address, i, i + 8, 16));
        }
        InetAddress ip = InetAddress.getByAddress(bytes.array()); // an IPv4-mapped IPv6 address comes back as IPv4
        String host = ip.getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + Integer.parseInt(hex.substring(colon + 1), 16);
    }
}
