package dev.weft.bench.harness;

import dev.weft.bench.servers.ServerKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run was and where it ran, for the report's header.
 *
 * @param command     the command line
 * @param start       when it began (UTC)
 * @param took        how long it took
 * @param jdk         the JDK every JVM ran on
 * @param jvmFlags    the flags of every JVM
 * @param machine     CPU model, cores, memory and kernel
 * @param quick       whether it was a quick run (numbers not for quoting)
 * @param repetitions how many repetitions
 * @param weftTransport the transport Weft's servers ran on ({@code EPOLL} or {@code JDK})
 * @param weftEcho    the {@code EchoServer} handler Weft's echo server ran ({@code echoPerMessage} or {@code echoRaw})
 */
record RunInfo(String command, Instant start, Duration took, String jdk, List<String> jvmFlags, String machine,
        boolean quick, int repetitions, String weftTransport, String weftEcho) {

    static RunInfo current(String command, Instant start, Duration took, List<String> jvmFlags, boolean quick,
            int repetitions) {
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        return new RunInfo(command, start, took, jdk, jvmFlags, describeMachine(), quick, repetitions,
                ServerKind.weftTransport(), ServerKind.weftEcho(jvmFlags));
    }

    /** e.g. "2 cores (AMD EPYC 7B13), 24.0 GiB, Linux 6.1.0-28-cloud-amd64". */
    static String describeMachine() {
        String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name").orElse("unknown CPU");
        String mem = firstValue(Path.of("/proc/meminfo"), "MemTotal")
                .map(v -> Report.fmt("%.1f GiB", Long.parseLong(v.split("\\s+")[0]) / 1024.0 / 1024.0))
                .orElse("unknown memory");
        String kernel = firstLine(Path.of("/proc/sys/kernel/osrelease")).orElse(System.getProperty("os.version"));
        return Report.fmt("%d cores (%s), %s, %s %s", Runtime.getRuntime().availableProcessors(), cpu, mem,
                System.getProperty("os.name"), kernel);
    }

    private static java.util.Optional<String> firstLine(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static java.util.Optional<String> firstValue(Path file, String key) {
        try {
            return Files.readAllLines(file).stream()
                    .filter(l -> l.startsWith(key))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** The inverse of {@link #toMap()}. */
    @SuppressWarnings("unchecked")
    static RunInfo fromMap(Map<String, Object> m) {
        return new RunInfo((String) m.get("command"), Instant.parse((String) m.get("start")),
                Duration.ofSeconds(((Number) m.get("tookSeconds")).longValue()), (String) m.get("jdk"),
                (List<String>) m.get("jvmFlags"), (String) m.get("machine"), Boolean.TRUE.equals(m.get("quick")),
                ((Number) m.get("repetitions")).intValue(),
                m.get("weftTransport") instanceof String t ? t : "JDK", // runs before it existed were on the JDK's
                m.get("weftEcho") instanceof String e ? e : "echoRaw"); // and ran the plain loop
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", command);
        m.put("start", start.toString());
        m.put("tookSeconds", took.toSeconds());
        m.put("jdk", jdk);
        m.put("jvmFlags", jvmFlags);
        m.put("machine", machine);
        m.put("quick", quick);
        m.put("repetitions", repetitions);
        m.put("weftTransport", weftTransport);
        m.put("weftEcho", weftEcho);
        return m;
    }
}
