package dev.weft.bench.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A process's figures from Linux's {@code /proc/PID}: resident memory, OS threads, CPU time,
 * context switches, the open-file limit, its children, the sockets it listens on. Reads the files
 * afresh on every call; thread-safe.
 *
 * @param pid the process, or {@code "self"}
 */
public record Proc(String pid) {

    /** Clock ticks per second of {@code /proc/PID/stat}'s CPU times ({@code USER_HZ}, 100 on Linux). */
    private static final long TICKS_PER_SECOND = 100;

    /** This process. */
    public static Proc self() {
        return new Proc("self");
    }

    /** Another process. */
    public static Proc of(long pid) {
        return new Proc(Long.toString(pid));
    }

    /** Resident set size ({@code VmRSS}) in bytes. */
    public long rssBytes() {
        return statusField("VmRSS") * 1024;
    }

    /** OS threads in the process: platform threads, carriers, JVM threads. */
    public int osThreads() {
        return (int) statusField("Threads");
    }

    /**
     * Voluntary plus involuntary context switches of its live threads so far (each thread's
     * wake-ups). Threads that have ended no longer count, so compare two readings over a phase in
     * which the threads live on.
     */
    public long contextSwitches() {
        long sum = 0;
        try (var tasks = Files.list(dir().resolve("task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    sum += field(task.resolve("status"), "voluntary_ctxt_switches")
                            + field(task.resolve("status"), "nonvoluntary_ctxt_switches");
                } catch (UncheckedIOException ended) {
                    // The thread ended between listing and reading.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir().resolve("task"), e);
        }
        return sum;
    }

    /** User plus system CPU time so far, nanoseconds (10 ms resolution). */
    public long cpuNanos() {
        try {
            String[] f = statFields(Files.readString(dir().resolve("stat")));
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            return ticks * 1_000_000_000L / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir().resolve("stat"), e);
        }
    }

    /**
     * The processes whose parent this one is, from the parent field of every {@code /proc/N/stat}
     * (nginx's workers, say), in no particular order. Processes that end while the list is read are
     * left out.
     */
    public List<Proc> children() {
        String self = pid.equals("self") ? Long.toString(ProcessHandle.current().pid()) : pid;
        List<Proc> children = new ArrayList<>();
        try (var all = Files.list(Path.of("/proc"))) {
            for (Path dir : (Iterable<Path>) all::iterator) {
                String name = dir.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (statFields(Files.readString(dir.resolve("stat")))[1].equals(self)) {
                        children.add(new Proc(name));
                    }
                } catch (IOException | RuntimeException ended) {
                    // The process ended between listing and reading.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return children;
    }

    /**
     * Whether this process itself holds a TCP socket listening on {@code port} (any local address):
     * the socket's inode, from {@code /proc/net/tcp} or {@code tcp6}, among its open files. So a process
     * that failed to bind is told apart from another one that holds the port.
     */
    public boolean listensOn(int port) {
        Set<String> inodes = new HashSet<>();
        String suffix = String.format(Locale.ROOT, ":%04X", port);
        // IPv4 sockets (nginx, HAProxy) in tcp; a JVM's, IPv6 even when bound to 127.0.0.1, in tcp6.
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                    if (f.length > 9 && f[1].endsWith(suffix) && f[3].equals("0A")) { // 0A: LISTEN
                        inodes.add("socket:[" + f[9] + "]");
                    }
                }
            } catch (IOException e) {
                if (table.endsWith("tcp")) {
                    throw new UncheckedIOException("cannot read " + table, e);
                }
                // No IPv6 on this machine.
            }
        }
        if (inodes.isEmpty()) {
            return false;
        }
        try (var fds = Files.list(dir().resolve("fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException closed) {
                    // The file was closed between listing and reading.
                }
            }
        } catch (IOException e) {
            return false; // the process has ended (or is not ours to look into)
        }
        return false;
    }

    /** Whether the process still exists (a zombie, ended but not yet reaped, does not count). */
    public boolean alive() {
        try {
            return !statFields(Files.readString(dir().resolve("stat")))[0].equals("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The soft limit on open files, or {@link Long#MAX_VALUE} when unlimited or unknown. */
    public long openFileLimit() {
        try {
            for (String line : Files.readAllLines(dir().resolve("limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or an unexpected format: no limit we can check.
        }
        return Long.MAX_VALUE;
    }

    /**
     * The fields of a {@code stat} line after the command name, which is in parentheses and may
     * hold spaces: [0] the state, [1] the parent's pid, ... [11] utime, [12] stime.
     */
    private static String[] statFields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    }

    private Path dir() {
        return Path.of("/proc", pid);
    }

    private long statusField(String name) {
        return field(dir().resolve("status"), name);
    }

    /** The first number after {@code name:} in a status file (kB for memory fields). */
    private static long field(Path status, String name) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(name + ":")) {
                    return Long.parseLong(line.substring(name.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + status + " (memory and CPU are measured on Linux only)", e);
        }
        throw new IllegalStateException(status + " has no " + name + " line");
    }
}
