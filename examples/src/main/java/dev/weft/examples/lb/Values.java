package dev.weft.examples.lb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * nginx's value syntaxes, read the way nginx reads them: times ({@code 1m30s}), sizes
 * ({@code 10m}), plain numbers, {@code on}/{@code off}, and text with variables
 * ({@code $host}, {@code ${host}}). The number readers answer -1 for anything they cannot read, so
 * that the caller words the error for its directive. Stateless.
 */
final class Values {

    // Time units from the largest: each may appear once, larger before smaller.
    private static final int YEAR = 1;
    private static final int MONTH = 2;
    private static final int WEEK = 3;
    private static final int DAY = 4;
    private static final int HOUR = 5;
    private static final int MINUTE = 6;
    private static final int SECOND = 7;
    private static final int MILLI = 8;

    private Values() {
    }

    /**
     * A time in nginx's units, in milliseconds, or -1. {@code ms s m h d w M y} may be combined
     * from larger to smaller ({@code 1h30m}, {@code "1m 30s"}); a number without a unit at the end
     * counts as seconds. {@code secondsOnly} is nginx's mode for directives kept in seconds
     * ({@code fail_timeout}): {@code ms} is refused there; in the millisecond mode of the proxy
     * timeouts {@code y} and {@code M} are refused, as nginx does.
     */
    static long millis(String s, boolean secondsOnly) {
        int last = secondsOnly ? 0 : MONTH;
        long total = 0;
        long value = 0;
        boolean digits = false;
        boolean pending = false;
        int i = 0;
        try {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c >= '0' && c <= '9') {
                    value = Math.addExact(Math.multiplyExact(value, 10), c - '0');
                    digits = true;
                    pending = true;
                    i++;
                    continue;
                }
                if (!pending) {
                    return -1;
                }
                int unit;
                long scale;
                switch (c) {
                    case 'y' -> { unit = YEAR; scale = 365L * 86_400_000; }
                    case 'M' -> { unit = MONTH; scale = 30L * 86_400_000; }
                    case 'w' -> { unit = WEEK; scale = 7L * 86_400_000; }
                    case 'd' -> { unit = DAY; scale = 86_400_000; }
                    case 'h' -> { unit = HOUR; scale = 3_600_000; }
                    case 'm' -> {
                        if (i + 1 < s.length() && s.charAt(i + 1) == 's') {
                            if (secondsOnly) {
                                return -1;
                            }
                            i++;
                            unit = MILLI;
                            scale = 1;
                        } else {
                            unit = MINUTE;
                            scale = 60_000;
                        }
                    }
                    case 's' -> { unit = SECOND; scale = 1_000; }
                    default -> {
                        return -1;
                    }
                }
                if (unit <= last) {
                    return -1;
                }
                last = unit;
                total = Math.addExact(total, Math.multiplyExact(value, scale));
                value = 0;
                pending = false;
                i++;
                while (i < s.length() && s.charAt(i) == ' ') {
                    i++;
                }
            }
            if (!digits || pending && last >= SECOND) {
                return -1;
            }
            return Math.addExact(total, Math.multiplyExact(value, 1_000));
        } catch (ArithmeticException overflow) {
            return -1;
        }
    }

    /** {@link #millis} as a duration, or null. */
    static Duration duration(String s, boolean secondsOnly) {
        long ms = millis(s, secondsOnly);
        return ms < 0 ? null : Duration.ofMillis(ms);
    }

    /** A size in bytes, or -1: digits with an optional {@code k}, {@code m} or {@code g} (any case). */
    static long bytes(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long scale = switch (s.charAt(s.length() - 1)) {
            case 'k', 'K' -> 1024L;
            case 'm', 'M' -> 1024L * 1024;
            case 'g', 'G' -> 1024L * 1024 * 1024;
            default -> 1;
        };
        String digits = scale == 1 ? s : s.substring(0, s.length() - 1);
        long n = number(digits, Long.MAX_VALUE / scale);
        return n < 0 ? -1 : n * scale;
    }

    /** A non-negative int written in decimal digits only (no sign), or -1. */
    static int number(String s) {
        return (int) number(s, Integer.MAX_VALUE);
    }

    private static long number(String s, long max) {
        if (s.isEmpty() || s.length() > 19) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
            if (n > max) {
                return -1;
            }
        }
        return n;
    }

    /** The directive's one argument as {@code on} or {@code off} (any case). */
    static boolean flag(Statement st) throws ConfigException {
        String v = st.arg(1);
        if (v.equalsIgnoreCase("on")) {
            return true;
        }
        if (v.equalsIgnoreCase("off")) {
            return false;
        }
        throw st.error("invalid value \"" + v + "\" in \"" + st.name() + "\" directive, it must be \"on\" or \"off\"");
    }

    /**
     * Text with variables, read as nginx compiles it: {@code $name} takes letters, digits and
     * {@code _}; {@code ${name}} lets a name run into text; every name must be one of
     * {@link Value#VARIABLES} or {@code http_*}.
     */
    static Value value(Statement st, String text) throws ConfigException {
        List<Value.Part> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int dollar = text.indexOf('$', i);
            if (dollar != i) {
                int end = dollar < 0 ? text.length() : dollar;
                parts.add(new Value.Literal(text.substring(i, end)));
                i = end;
                continue;
            }
            i++;
            if (i == text.length()) {
                throw st.error("invalid variable name");
            }
            boolean bracket = text.charAt(i) == '{';
            if (bracket) {
                i++;
            }
            int start = i;
            while (i < text.length() && isNameChar(text.charAt(i))) {
                i++;
            }
            String name = text.substring(start, i);
            if (bracket) {
                if (i == text.length() || text.charAt(i) != '}') {
                    throw st.error("the closing bracket in \"" + name + "\" variable is missing");
                }
                i++;
            }
            if (name.isEmpty()) {
                throw st.error("invalid variable name");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (!Value.VARIABLES.contains(lower)
                    && !(lower.startsWith(Value.HEADER_PREFIX) && lower.length() > Value.HEADER_PREFIX.length())) {
                throw st.error("unknown \"" + name + "\" variable");
            }
            parts.add(new Value.Var(lower));
        }
        return new Value(parts);
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }
}
