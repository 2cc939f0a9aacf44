package dev.weft.bench.load;

import dev.weft.examples.Args;
import java.time.Duration;

/**
 * The settings of one {@link EchoLoadClient} run, from its command line. Every phase is bounded:
 * the ramp by {@code rampTimeout}, the wait for {@code GO} by {@code goTimeout}, the ping-pong by
 * {@code duration} plus {@code replyTimeout}.
 *
 * @param port          the echo server's port on 127.0.0.1
 * @param connections   how many connections to open
 * @param payload       bytes per message
 * @param duration      how long the ping-pong phase runs
 * @param concurrency   how many connects may be in flight at once during the ramp
 * @param connectTimeout how long one connect may take
 * @param rampTimeout   after this, no new connect is started
 * @param goTimeout     how long to wait for {@code GO} once ready
 * @param replyTimeout  how long one reply may take before the connection counts as an echo error
 */
public record LoadOptions(
        int port,
        int connections,
        int payload,
        Duration duration,
        int concurrency,
        Duration connectTimeout,
        Duration rampTimeout,
        Duration goTimeout,
        Duration replyTimeout) {

    static final String USAGE = "EchoLoadClient --port N [--connections 10000] [--payload 64] [--duration 20]"
            + " [--concurrency 128] [--connect-timeout-ms 5000] [--ramp-timeout 60] [--go-timeout 120]"
            + " [--reply-timeout-ms 5000]";

    /** Reads the flags; throws {@link Args.UsageException} on a missing port or a value out of range. */
    public static LoadOptions parse(String[] args) {
        Args a = Args.parse("load-client", args, "--port", "--connections", "--payload", "--duration",
                "--concurrency", "--connect-timeout-ms", "--ramp-timeout", "--go-timeout", "--reply-timeout-ms");
        return new LoadOptions(
                range(a, "--port", 0, 1, 65_535),
                range(a, "--connections", 10_000, 1, 1_000_000),
                range(a, "--payload", 64, 1, 1 << 20),
                Duration.ofSeconds(range(a, "--duration", 20, 1, 3_600)),
                range(a, "--concurrency", 128, 1, 10_000),
                Duration.ofMillis(range(a, "--connect-timeout-ms", 5_000, 1, 600_000)),
                Duration.ofSeconds(range(a, "--ramp-timeout", 60, 1, 3_600)),
                Duration.ofSeconds(range(a, "--go-timeout", 120, 1, 3_600)),
                Duration.ofMillis(range(a, "--reply-timeout-ms", 5_000, 1, 600_000)));
    }

    private static int range(Args a, String flag, int fallback, int min, int max) {
        int v = a.intValue(flag, fallback);
        if (v < min || v > max) {
            throw new Args.UsageException("load-client: " + flag + " must be " + min + ".." + max + ", was " + v
                    + "; usage: " + USAGE);
        }
        return v;
    }
}
