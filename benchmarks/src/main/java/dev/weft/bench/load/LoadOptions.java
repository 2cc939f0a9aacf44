package dev.weft.bench.load;

import dev.weft.bench.Args;
import dev.weft.bench.servers.Protocol;
import java.time.Duration;
import java.util.Locale;

/**
 * The settings of one {@link LoadClient} run, from its command line. Every phase is bounded: the
 * ramp by {@code rampTimeout}, the wait for {@code GO} by {@code goTimeout}, the measured phase by
 * {@code duration} plus {@code replyTimeout}.
 *
 * @param port           the server's port on 127.0.0.1
 * @param protocol       echo (the payload comes back) or HTTP ({@code GET /hello}, keep-alive)
 * @param connections    how many connections to open
 * @param payload        bytes per echo message
 * @param warmup         how long the load runs before the measured phase, unrecorded (JIT, caches)
 * @param duration       how long the measured phase runs
 * @param rate           0 for a closed loop (each connection sends as soon as its reply came); else the
 *                       offered rate in messages per second over all connections (open loop)
 * @param concurrency    how many connects may be in flight at once during the ramp
 * @param connectTimeout how long one connect may take
 * @param rampTimeout    after this, no new connect is started
 * @param goTimeout      how long to wait for {@code GO} once ready
 * @param replyTimeout   how long one reply may take before the connection counts as failed and stops
 */
public record LoadOptions(
        int port,
        Protocol protocol,
        int connections,
        int payload,
        Duration warmup,
        Duration duration,
        int rate,
        int concurrency,
        Duration connectTimeout,
        Duration rampTimeout,
        Duration goTimeout,
        Duration replyTimeout) {

    static final String USAGE = "LoadClient --port N [--protocol echo|http] [--connections 10000] [--payload 64]"
            + " [--warmup 0] [--duration 20] [--rate 0] [--concurrency 128] [--connect-timeout-ms 5000] [--ramp-timeout 60]"
            + " [--go-timeout 120] [--reply-timeout-ms 5000]";

    /** Reads the flags; throws {@link Args.UsageException} on a missing port or a value out of range. */
    public static LoadOptions parse(String[] args) {
        Args a = Args.parse("load-client", args, "--port", "--protocol", "--connections", "--payload", "--warmup",
                "--duration", "--rate", "--concurrency", "--connect-timeout-ms", "--ramp-timeout", "--go-timeout",
                "--reply-timeout-ms");
        String protocol = a.value("--protocol", "echo");
        Protocol p = switch (protocol.toLowerCase(Locale.ROOT)) {
            case "echo" -> Protocol.ECHO;
            case "http" -> Protocol.HTTP;
            default -> throw new Args.UsageException("load-client: --protocol must be echo or http, was '"
                    + protocol + "'; usage: " + USAGE);
        };
        return new LoadOptions(
                range(a, "--port", 0, 1, 65_535),
                p,
                range(a, "--connections", 10_000, 1, 1_000_000),
                range(a, "--payload", 64, 1, 1 << 20),
                Duration.ofSeconds(range(a, "--warmup", 0, 0, 600)),
                Duration.ofSeconds(range(a, "--duration", 20, 1, 3_600)),
                range(a, "--rate", 0, 0, 10_000_000),
                range(a, "--concurrency", 128, 1, 10_000),
                Duration.ofMillis(range(a, "--connect-timeout-ms", 5_000, 1, 600_000)),
                Duration.ofSeconds(range(a, "--ramp-timeout", 60, 1, 3_600)),
                Duration.ofSeconds(range(a, "--go-timeout", 120, 1, 3_600)),
                Duration.ofMillis(range(a, "--reply-timeout-ms", 5_000, 1, 600_000)));
    }

    /** Whether connections send on a fixed schedule (open loop) rather than as soon as a reply came. */
    public boolean openLoop() {
        return rate > 0;
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
