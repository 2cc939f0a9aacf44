package dev.weft.bench.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads this process's figures from Linux's {@code /proc/self}: resident memory, OS thread count
 * and the open-file limit. Thread-safe (reads the files afresh each call).
 */
final class ProcSelf {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path LIMITS = Path.of("/proc/self/limits");

    private ProcSelf() {
    }

    /** Resident set size ({@code VmRSS}) in bytes. */
    static long rssBytes() {
        return statusField("VmRSS") * 1024;
    }

    /** OS threads in this process ({@code Threads}): platform threads, carriers, JVM threads. */
    static int osThreads() {
        return (int) statusField("Threads");
    }

    /** The soft limit on open files, or {@link Long#MAX_VALUE} when unlimited or unknown. */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(LIMITS)) {
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

    /** The first number after {@code name:} in /proc/self/status (kB for memory fields). */
    private static long statusField(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name + ":")) {
                    return Long.parseLong(line.substring(name.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATUS + " (the demo measures memory on Linux only)", e);
        }
        throw new IllegalStateException(STATUS + " has no " + name + " line");
    }
}
