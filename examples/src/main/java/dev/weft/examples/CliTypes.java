package dev.weft.examples;

import dev.weft.balance.Strategy;
import dev.weft.client.Endpoint;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The examples' option types as picocli type converters: durations ({@code 200ms}, {@code 1s},
 * {@code 2m}), ports, {@code host:port} endpoints, counts and balancing strategies. A value that does
 * not convert throws {@link TypeConversionException}, which picocli turns into a usage error (exit 2)
 * naming the option. {@link Duration} and {@link Endpoint} options convert without naming a converter
 * ({@link #register}); an {@code int} port or count names its converter in its {@code @Option}.
 * Stateless, so thread-safe.
 */
final class CliTypes {

    private CliTypes() {
    }

    /** Makes every {@link Duration} and {@link Endpoint} option of {@code cli} and its subcommands use these. */
    static void register(CommandLine cli) {
        cli.registerConverter(Duration.class, new DurationConverter());
        cli.registerConverter(Endpoint.class, new EndpointConverter());
    }

    /**
     * A positive duration: a number and a unit, {@code ms}, {@code s}, {@code m} or {@code h}
     * ({@code 200ms}, {@code 1s}, {@code 10m}), or ISO-8601 ({@code PT1.5S}).
     */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Duration d;
            Matcher m = SIMPLE.matcher(value.strip());
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } else {
                try {
                    d = Duration.parse(value.strip());
                } catch (DateTimeParseException e) {
                    throw new TypeConversionException("'" + value + "' is not a duration like 200ms, 1s, 2m or 1h");
                }
            }
            if (d.isZero() || d.isNegative()) {
                throw new TypeConversionException("'" + value + "' is not a positive duration");
            }
            return d;
        }
    }

    /** A port to listen on or filter by: 0..65535 (what 0 means is the option's to say). */
    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int port = integer(value, "port");
            if (port < 0 || port > 65_535) {
                throw new TypeConversionException("port must be 0..65535, got " + value);
            }
            return port;
        }
    }

    /** A count or limit: 1 or more. */
    static final class Positive implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n = integer(value, "number");
            if (n < 1) {
                throw new TypeConversionException("must be 1 or more, got " + value);
            }
            return n;
        }
    }

    /** {@code host:port} or {@code [ipv6]:port}, port 1..65535; the host is not resolved here. */
    static final class EndpointConverter implements ITypeConverter<Endpoint> {
        @Override
        public Endpoint convert(String value) {
            try {
                return Endpoint.parse(value.strip());
            } catch (IllegalArgumentException e) {
                // Endpoint says "expected host:port, was x" or "port must be 1..65535, was 80808".
                throw new TypeConversionException(e.getMessage().replace(", was ", ", got "));
            }
        }
    }

    /** A balancing strategy by its command-line name: nginx's directive, spelled with a hyphen. */
    static final class StrategyConverter implements ITypeConverter<Strategy> {
        static final Map<String, Strategy> NAMES = Map.of(
                "round-robin", Strategy.ROUND_ROBIN,
                "least-conn", Strategy.LEAST_CONNECTIONS,
                "ip-hash", Strategy.IP_HASH);

        @Override
        public Strategy convert(String value) {
            Strategy s = NAMES.get(value.strip().toLowerCase(Locale.ROOT));
            if (s == null) {
                throw new TypeConversionException("expected round-robin, least-conn or ip-hash, got '" + value + "'");
            }
            return s;
        }
    }

    /** The strategy names, in the order {@code --help} lists them ({@code ${COMPLETION-CANDIDATES}}). */
    static final class StrategyNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("round-robin", "least-conn", "ip-hash").iterator();
        }
    }

    private static int integer(String value, String what) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a " + what);
        }
    }
}
