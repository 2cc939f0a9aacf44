package dev.weft.bench.load;

import dev.weft.bench.json.BenchJson;
import java.util.HashMap;
import java.util.Map;

/**
 * The line protocol between {@link LoadClient} (a child process) and the process that drives
 * it, one message per line:
 *
 * <pre>
 * client → parent   PROGRESS connected=N errors=E     while connecting, a few times a second
 * client → parent   READY connected=N errors=E rampMs=T   all attempts done; connections idle
 * parent → client   GO                                start the load: warm-up, then the measured phase
 * client → parent   MEASURING                         the warm-up is over, recording begins
 * client → parent   RESULT {json}                     see {@link LoadResult}; then the client exits
 * </pre>
 *
 * Any other line the client prints is passed through as {@link Other}.
 */
public final class ClientProtocol {

    /** The line that starts the load. */
    public static final String GO = "GO";
    /** The line the client prints when the warm-up ends and the measured time begins. */
    public static final String MEASURING = "MEASURING";

    private static final String PROGRESS = "PROGRESS";
    private static final String READY = "READY";
    private static final String RESULT = "RESULT";

    private ClientProtocol() {
    }

    /** One line from the client. */
    public sealed interface Line permits Progress, Ready, Result, Other {
    }

    /** The ramp so far. */
    public record Progress(int connected, int errors) implements Line {
    }

    /** The ramp is over; {@code connected} connections are open and idle. */
    public record Ready(int connected, int errors, long rampMillis) implements Line {
    }

    /** The measured phase is over. */
    public record Result(LoadResult result) implements Line {
    }

    /** Anything else the client printed. */
    public record Other(String text) implements Line {
    }

    public static String progress(int connected, int errors) {
        return PROGRESS + " connected=" + connected + " errors=" + errors;
    }

    public static String ready(int connected, int errors, long rampMillis) {
        return READY + " connected=" + connected + " errors=" + errors + " rampMs=" + rampMillis;
    }

    public static String result(LoadResult result) {
        return RESULT + " " + BenchJson.compact(result);
    }

    /** Reads one line the client printed; a malformed protocol line comes back as {@link Other}. */
    public static Line parse(String line) {
        try {
            if (line.startsWith(PROGRESS + " ")) {
                Map<String, String> f = fields(line);
                return new Progress(Integer.parseInt(f.get("connected")), Integer.parseInt(f.get("errors")));
            }
            if (line.startsWith(READY + " ")) {
                Map<String, String> f = fields(line);
                return new Ready(Integer.parseInt(f.get("connected")), Integer.parseInt(f.get("errors")),
                        Long.parseLong(f.get("rampMs")));
            }
            if (line.startsWith(RESULT + " ")) {
                return new Result(BenchJson.read(line.substring(RESULT.length() + 1), LoadResult.class));
            }
        } catch (RuntimeException e) {
            return new Other(line + "   (unreadable: " + e.getMessage() + ")");
        }
        return new Other(line);
    }

    /** The {@code key=value} words after the first word. */
    private static Map<String, String> fields(String line) {
        Map<String, String> fields = new HashMap<>();
        String[] words = line.split(" ");
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq > 0) {
                fields.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            }
        }
        return fields;
    }
}
