package dev.weft.bench.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's figures from Linux's {@code /proc/PID}: resident memory, OS threads, CPU time,
 * context switches, the open-file limit. Reads the files afresh on every call; thread-safe.
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
            String stat = Files.readString(dir().resolve("stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            return ticks * 1_000_000_000L / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir().resolve("stat"), e);
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
