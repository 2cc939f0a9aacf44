package dev.weft.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmarks' command-line flags (demo, bench, load client): {@code --name value} or {@code --flag}. An
 * unknown flag or a malformed value throws {@link UsageException}; the main class prints it and exits
 * with status 2. (The examples use picocli; these commands still parse by hand.)
 */
public final class Args {

    private final String command;
    private final Map<String, String> values = new HashMap<>();

    private Args(String command) {
        this.command = command;
    }

    /**
     * Parses {@code args}; a flag in {@code known} followed by a value not starting with "--" takes
     * that value, otherwise it is a switch.
     */
    public static Args parse(String command, String[] args, String... known) {
        Args parsed = new Args(command);
        List<String> allowed = List.of(known);
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (!allowed.contains(flag)) {
                throw new UsageException(command + ": unknown option '" + flag + "'");
            }
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            parsed.values.put(flag, hasValue ? args[++i] : "");
        }
        return parsed;
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public String value(String name, String fallback) {
        String v = values.get(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    public int intValue(String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": " + name + " needs a number, got '" + v + "'");
        }
    }

    /** A duration like {@code 200ms}, {@code 1s}, {@code 2m}; the fallback when the flag is absent. */
    public Duration durationValue(String name, Duration fallback) {
        String v = values.get(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)").matcher(v);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new UsageException(command + ": " + name + " needs a duration like 200ms, 1s or 2m, got '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    /** A wrong command line: the message says what was wrong. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }
}
