package dev.weft.bench.harness;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.weft.bench.json.BenchJson;
import dev.weft.bench.servers.ServerKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
 * @param peers       the proxy peers the run measured, with their versions ({@code nginx 1.22.1, HAProxy 2.6.12});
 *                    empty when it measured none
 */
record RunInfo(String command, Instant start, Duration took, String jdk, List<String> jvmFlags, String machine,
        boolean quick, int repetitions, String weftTransport, String weftEcho, String peers) {

    /** A run without proxy peers. */
    RunInfo(String command, Instant start, Duration took, String jdk, List<String> jvmFlags, String machine,
            boolean quick, int repetitions, String weftTransport, String weftEcho) {
        this(command, start, took, jdk, jvmFlags, machine, quick, repetitions, weftTransport, weftEcho, "");
    }

    static RunInfo current(String command, Instant start, Duration took, List<String> jvmFlags, boolean quick,
            int repetitions) {
        return current(command, start, took, jvmFlags, quick, repetitions, "");
    }

    static RunInfo current(String command, Instant start, Duration took, List<String> jvmFlags, boolean quick,
            int repetitions, String peers) {
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        return new RunInfo(command, start, took, jdk, jvmFlags, describeMachine(), quick, repetitions,
                ServerKind.weftTransport(), ServerKind.weftEcho(jvmFlags), peers);
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

    /** How {@code results.json} keeps it: the start as an ISO-8601 instant, the duration in whole seconds. */
    Saved saved() {
        return new Saved(command, start.toString(), took.toSeconds(), jdk, jvmFlags, machine, quick, repetitions,
                weftTransport, weftEcho, peers);
    }

    /**
     * Reads the {@code run} object of a {@code results.json}. Runs saved before the transport and the
     * echo handler were recorded ran on the JDK's transport and the plain loop; a run without
     * {@code peers} measured none.
     */
    static RunInfo read(JsonNode run) {
        if (!(run instanceof ObjectNode fields)) {
            throw new IllegalArgumentException("bad results.json: \"run\" is not an object: " + run);
        }
        ObjectNode upgraded = fields.deepCopy();
        upgraded.putIfAbsent("weftTransport", TextNode.valueOf("JDK"));
        upgraded.putIfAbsent("weftEcho", TextNode.valueOf("echoRaw"));
        upgraded.putIfAbsent("peers", TextNode.valueOf(""));
        return BenchJson.convert(upgraded, Saved.class).info();
    }

    /**
     * The JSON form of a {@link RunInfo}, field for field as {@code results.json} has it; {@code peers}
     * only when the run measured some, so that the runs before it are written as they were.
     */
    record Saved(String command, String start, long tookSeconds, String jdk, List<String> jvmFlags, String machine,
            boolean quick, int repetitions, String weftTransport, String weftEcho,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) String peers) {

        RunInfo info() {
            return new RunInfo(command, Instant.parse(start), Duration.ofSeconds(tookSeconds), jdk, jvmFlags, machine,
                    quick, repetitions, weftTransport, weftEcho, peers);
        }
    }
}
