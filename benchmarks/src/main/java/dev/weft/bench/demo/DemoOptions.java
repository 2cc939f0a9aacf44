package dev.weft.bench.demo;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.weft.bench.Args;
import dev.weft.bench.proc.Proc;
import java.nio.file.Path;

/**
 * The demo's command line; in {@code c10k.json} as it is, {@code out} as typed.
 *
 * <pre>./weft demo [--connections 10000] [--duration 20] [--payload 64] [--out target/demo/c10k.json]
 *             [--histogram] [--no-warmup]</pre>
 *
 * @param connections how many connections the load client opens and holds
 * @param duration    seconds of ping-pong once all are open
 * @param payload     bytes per message
 * @param out         where the JSON report goes (relative to the working directory)
 * @param histogram   whether to save the top of a heap class histogram taken at idle
 * @param warmup      whether to warm the server up before the baseline (see {@link dev.weft.bench.load.Warmup})
 */
record DemoOptions(int connections, int duration, int payload,
        @JsonSerialize(using = ToStringSerializer.class) Path out, boolean histogram, boolean warmup) {

    static final String USAGE = "demo [--connections 10000] [--duration 20] [--payload 64]"
            + " [--out target/demo/c10k.json] [--histogram] [--no-warmup]";
    /** Descriptors the server JVM needs besides its connections: jars, the listener, pipes to the client. */
    private static final int SPARE_FILES = 200;

    /** Reads the flags; throws {@link Args.UsageException} for an unknown flag or a value out of range. */
    static DemoOptions parse(String[] args) {
        Args a = Args.parse("demo", args, "--connections", "--duration", "--payload", "--out", "--histogram",
                "--no-warmup");
        long maxConnections = Math.min(60_000, Proc.self().openFileLimit() - SPARE_FILES);
        return new DemoOptions(
                range(a, "--connections", 10_000, 1, maxConnections,
                        " (this process may open " + Proc.self().openFileLimit() + " files; see ulimit -n)"),
                range(a, "--duration", 20, 1, 600, ""),
                range(a, "--payload", 64, 1, 65_536, ""),
                Path.of(a.value("--out", "target/demo/c10k.json")),
                a.flag("--histogram"),
                !a.flag("--no-warmup"));
    }

    private static int range(Args a, String flag, int fallback, long min, long max, String why) {
        int v = a.intValue(flag, fallback);
        if (v < min || v > max) {
            throw new Args.UsageException("demo: " + flag + " must be " + min + ".." + max + why + ", was " + v);
        }
        return v;
    }
}
