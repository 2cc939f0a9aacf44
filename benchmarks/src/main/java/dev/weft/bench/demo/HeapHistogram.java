package dev.weft.bench.demo;

import dev.weft.bench.proc.Jdk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A class histogram of this JVM's heap, taken with {@code jcmd <own pid> GC.class_histogram} (the
 * JDK's own tool, next to {@code java}; it collects garbage first, so it counts live objects). Saves
 * the top rows, the total, and every {@code dev.weft} row wherever it ranks.
 */
final class HeapHistogram {

    private static final long TIMEOUT_SECONDS = 60;
    private static final String OURS = "dev.weft.";
    /** A ranked row: {@code "  12:   4012   128384  java.util...."}; the first line is {@code "<pid>:"}. */
    private static final Pattern ROW = Pattern.compile("\\s*\\d+:\\s+\\d+\\s+\\d+\\s+\\S.*");

    private HeapHistogram() {
    }

    /** Writes the top {@code rows} classes (plus the header, total and Weft's own classes) to {@code file}. */
    static void save(Path file, int rows) throws IOException, InterruptedException {
        List<String> all = take();
        List<String> kept = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        int ranked = 0;
        for (String line : all) {
            boolean row = ROW.matcher(line).matches();
            if (!row) {
                kept.add(line); // the pid line, the column header, the rule and the total
            } else if (ranked++ < rows) {
                kept.add(line);
            } else if (line.contains(OURS)) {
                ours.add(line);
            }
        }
        if (!ours.isEmpty()) {
            kept.add("");
            kept.add("Further " + OURS + "* rows:");
            kept.addAll(ours);
        }
        Files.write(file, kept, StandardCharsets.UTF_8);
    }

    private static List<String> take() throws IOException, InterruptedException {
        Path raw = Files.createTempFile("weft-histogram", ".txt");
        try {
            // Output to a file, so a jcmd that hangs cannot block a read: the wait below is bounded.
            Process jcmd = new ProcessBuilder(Jdk.tool("jcmd").toString(),
                    String.valueOf(ProcessHandle.current().pid()), "GC.class_histogram")
                    .redirectErrorStream(true)
                    .redirectOutput(raw.toFile())
                    .start();
            if (!jcmd.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
                throw new DemoFailure("jcmd GC.class_histogram took longer than " + TIMEOUT_SECONDS + " s");
            }
            List<String> output = Files.readAllLines(raw, StandardCharsets.UTF_8);
            if (jcmd.exitValue() != 0) {
                throw new DemoFailure("jcmd GC.class_histogram failed: " + String.join(" ", output));
            }
            return output;
        } finally {
            Files.deleteIfExists(raw);
        }
    }
}
