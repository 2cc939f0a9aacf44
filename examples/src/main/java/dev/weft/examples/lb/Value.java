package dev.weft.examples.lb;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A directive's value that may hold variables, such as {@code $host:$proxy_port} or
 * {@code "${scheme}://example.com$request_uri"}: literal text and variable references in order,
 * for the proxy to evaluate per request. Immutable; adjacent literals are merged and empty ones
 * dropped, so two values that read the same are equal.
 *
 * <p>The variables the reader knows ({@link #VARIABLES}, plus {@code $http_NAME} for any request
 * header) are nginx's, with nginx's meaning; any other name is refused when the file is read
 * ({@code unknown "foo" variable}). Names are stored in lower case, as nginx looks them up.
 *
 * @param parts the literals and variables, in order
 */
public record Value(List<Part> parts) {

    /**
     * The variables a value may use besides {@code $http_NAME}: {@code host} (the request's host
     * name, else the server's first name), {@code remote_addr}, {@code remote_port},
     * {@code proxy_add_x_forwarded_for} (the client's {@code X-Forwarded-For} with
     * {@code $remote_addr} appended), {@code scheme}, {@code request_uri} (as the client sent it,
     * with arguments), {@code uri} (normalised, without arguments), {@code args},
     * {@code server_name}, {@code server_port}, {@code proxy_host} and {@code proxy_port} (the
     * {@code proxy_pass} target's host and port, see {@link ProxyPass#proxyHost()}).
     */
    public static final Set<String> VARIABLES = Set.of("host", "remote_addr", "remote_port",
            "proxy_add_x_forwarded_for", "scheme", "request_uri", "uri", "args", "server_name",
            "server_port", "proxy_host", "proxy_port");

    /** The prefix of the request-header variables: {@code $http_x_real_ip} is {@code X-Real-IP}. */
    public static final String HEADER_PREFIX = "http_";

    /** A part of a value. */
    public sealed interface Part permits Literal, Var {
    }

    /** Text taken as it is. */
    public record Literal(String text) implements Part {
        public Literal {
            Objects.requireNonNull(text, "text");
        }
    }

    /** A variable, by its lower-case name without {@code $}: {@code host}, {@code http_user_agent}. */
    public record Var(String name) implements Part {
        public Var {
            Objects.requireNonNull(name, "name");
        }

        /**
         * For {@code http_x_real_ip}, the header it reads ({@code x-real-ip}: dashes for
         * underscores, compared without case); null for the other variables.
         */
        public String headerName() {
            return name.startsWith(HEADER_PREFIX) ? name.substring(HEADER_PREFIX.length()).replace('_', '-') : null;
        }
    }

    public Value {
        List<Part> merged = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof Literal l) {
                text.append(l.text());
            } else {
                if (!text.isEmpty()) {
                    merged.add(new Literal(text.toString()));
                    text.setLength(0);
                }
                merged.add(Objects.requireNonNull(p, "part"));
            }
        }
        if (!text.isEmpty()) {
            merged.add(new Literal(text.toString()));
        }
        parts = List.copyOf(merged);
    }

    /** A value without variables. */
    public static Value literal(String text) {
        return new Value(List.of(new Literal(text)));
    }

    /** A value made of {@code parts}. */
    public static Value of(Part... parts) {
        return new Value(List.of(parts));
    }

    /** True if there is no variable in it. */
    public boolean isLiteral() {
        return parts.stream().allMatch(p -> p instanceof Literal);
    }

    /** True for the empty value ({@code ""}); for a header, nginx then does not send it. */
    public boolean isEmpty() {
        return parts.isEmpty();
    }

    /**
     * The value for one request: each variable replaced by {@code variables.apply(name)}, where a
     * null answer (a header the request lacks) counts as empty, as in nginx.
     */
    public String evaluate(Function<String, String> variables) {
        StringBuilder b = new StringBuilder();
        for (Part p : parts) {
            switch (p) {
                case Literal l -> b.append(l.text());
                case Var v -> {
                    String s = variables.apply(v.name());
                    if (s != null) {
                        b.append(s);
                    }
                }
            }
        }
        return b.toString();
    }

    /** The value in nginx's syntax, variables as {@code ${name}}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Part p : parts) {
            switch (p) {
                case Literal l -> b.append(l.text());
                case Var v -> b.append("${").append(v.name()).append('}');
            }
        }
        return b.toString();
    }
}
