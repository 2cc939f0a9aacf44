package dev.weft.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's TCP sockets ({@code /proc/net/tcp} and {@code tcp6}), Linux only: lets a test wait
 * until a server's reset has reached a client socket, without reading from it (which would take it).
 * Each look costs a few milliseconds: the kernel walks all its sockets.
 */
final class TcpTable {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp6"), Path.of("/proc/net/tcp"));

    /** A socket's state ({@code 01} established, {@code 08} close-wait, as the kernel writes it) and receive queue. */
    record Socket(String state, long receiveQueue) {
        boolean established() {
            return state.equals("01");
        }
    }

    private TcpTable() {
    }

    static boolean available() {
        return TABLES.stream().allMatch(Files::isReadable);
    }

    /** The socket from local port {@code local} to remote port {@code remote}, or null once the kernel holds none (reset). */
    static Socket find(int local, int remote) throws IOException {
        for (Path table : TABLES) {
            for (String line : Files.readAllLines(table)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 4 && f[1].contains(":") && port(f[1]) == local && port(f[2]) == remote) {
                    return new Socket(f[3], Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16));
                }
            }
        }
        return null;
    }

    private static int port(String addressAndPort) {
        return Integer.parseInt(addressAndPort.substring(addressAndPort.indexOf(':') + 1), 16);
    }
}
