package dev.weft.examples.lb;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * The proxy directives (and {@code client_max_body_size}) written at one level: the top (http),
 * a server, or a location. A field is null while the level does not set it, so that
 * {@link #resolve()} can tell "not set here, inherit" from "set to the default". Used by one
 * parsing thread.
 */
final class ProxyLevel {

    private final ProxyLevel parent;
    private final Path baseDir;

    private List<ProxyHeader> headers;
    private Duration connectTimeout;
    private Duration sendTimeout;
    private Duration readTimeout;
    private Set<NextUpstream> nextUpstream;
    private Integer nextUpstreamTries;
    private Duration nextUpstreamTimeout;
    private String httpVersion;
    private Boolean sslVerify;
    private Path sslTrustedCertificate;
    private Boolean sslServerName;
    private Value sslName;
    private Long clientMaxBodySize;

    /** A level below {@code parent} (null for the top); relative paths resolve against {@code baseDir}. */
    ProxyLevel(ProxyLevel parent, Path baseDir) {
        this.parent = parent;
        this.baseDir = baseDir;
    }

    /** Takes {@code st} if it is one of this level's directives; false for any other. */
    boolean apply(Statement st) throws ConfigException {
        switch (st.name()) {
            case "proxy_set_header" -> header(st);
            case "proxy_connect_timeout" -> {
                unset(connectTimeout, st);
                connectTimeout = timeout(st, false);
            }
            case "proxy_send_timeout" -> {
                unset(sendTimeout, st);
                sendTimeout = timeout(st, false);
            }
            case "proxy_read_timeout" -> {
                unset(readTimeout, st);
                readTimeout = timeout(st, false);
            }
            case "proxy_next_upstream_timeout" -> {
                unset(nextUpstreamTimeout, st);
                nextUpstreamTimeout = timeout(st, true);
            }
            case "proxy_next_upstream" -> {
                unset(nextUpstream, st);
                nextUpstream = nextUpstream(st);
            }
            case "proxy_next_upstream_tries" -> {
                unset(nextUpstreamTries, st);
                int n = Values.number(st.arg(1));
                if (n < 0) {
                    throw st.error("invalid number \"" + st.arg(1) + "\" in \"" + st.name() + "\" directive");
                }
                nextUpstreamTries = n;
            }
            case "proxy_http_version" -> {
                unset(httpVersion, st);
                String v = st.arg(1);
                if (!v.equals("1.0") && !v.equals("1.1")) {
                    throw st.invalidValue(v);
                }
                httpVersion = v;
            }
            case "proxy_ssl_verify" -> {
                unset(sslVerify, st);
                sslVerify = Values.flag(st);
            }
            case "proxy_ssl_server_name" -> {
                unset(sslServerName, st);
                sslServerName = Values.flag(st);
            }
            case "proxy_ssl_trusted_certificate" -> {
                unset(sslTrustedCertificate, st);
                sslTrustedCertificate = path(st, baseDir);
            }
            case "proxy_ssl_name" -> {
                unset(sslName, st);
                sslName = Values.value(st, st.arg(1));
            }
            case "client_max_body_size" -> {
                unset(clientMaxBodySize, st);
                long n = Values.bytes(st.arg(1));
                if (n < 0) {
                    throw st.invalidValue(st.arg(1));
                }
                if (n == 0) {
                    throw st.error("invalid value \"" + st.arg(1) + "\" in \"" + st.name()
                            + "\" directive, it must be greater than 0");
                }
                clientMaxBodySize = n;
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The settings in effect at this level: each value from the nearest level that sets it. */
    ProxySettings resolve() {
        ProxySettings d = ProxySettings.DEFAULTS;
        return new ProxySettings(
                inherit(l -> l.headers, d.headers()),
                inherit(l -> l.connectTimeout, d.connectTimeout()),
                inherit(l -> l.sendTimeout, d.sendTimeout()),
                inherit(l -> l.readTimeout, d.readTimeout()),
                inherit(l -> l.nextUpstream, d.nextUpstream()),
                inherit(l -> l.nextUpstreamTries, d.nextUpstreamTries()),
                inherit(l -> l.nextUpstreamTimeout, d.nextUpstreamTimeout()),
                inherit(l -> l.httpVersion, d.httpVersion()),
                inherit(l -> l.sslVerify, d.sslVerify()),
                inherit(l -> l.sslTrustedCertificate, d.sslTrustedCertificate()),
                inherit(l -> l.sslServerName, d.sslServerName()),
                inherit(l -> l.sslName, d.sslName()));
    }

    /** {@code client_max_body_size} in effect at this level. */
    long clientMaxBodySize() {
        return inherit(l -> l.clientMaxBodySize, Location.DEFAULT_CLIENT_MAX_BODY_SIZE);
    }

    private <T> T inherit(Function<ProxyLevel, T> field, T fallback) {
        for (ProxyLevel l = this; l != null; l = l.parent) {
            T v = field.apply(l);
            if (v != null) {
                return v;
            }
        }
        return fallback;
    }

    private static void unset(Object current, Statement st) throws ConfigException {
        if (current != null) {
            throw st.duplicate();
        }
    }

    private void header(Statement st) throws ConfigException {
        String name = st.arg(1);
        if (name.isEmpty() || !name.chars().allMatch(ProxyLevel::isTokenChar)) {
            throw st.error("invalid header name \"" + name + "\" in \"proxy_set_header\" directive");
        }
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) {
            throw st.error("header \"" + name + "\" cannot be set by \"proxy_set_header\" directive,"
                    + " the proxy frames the body itself");
        }
        if (headers == null) {
            headers = new ArrayList<>();
        }
        for (ProxyHeader h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                throw st.error("duplicate header \"" + name + "\" in \"proxy_set_header\" directive");
            }
        }
        Value value = Values.value(st, st.arg(2));
        for (Value.Part p : value.parts()) {
            if (p instanceof Value.Literal l && l.text().chars().anyMatch(c -> c < ' ' && c != '\t' || c == 127)) {
                throw st.error("invalid value of header \"" + name + "\" in \"proxy_set_header\" directive,"
                        + " it must not contain control characters");
            }
        }
        headers.add(new ProxyHeader(name, value));
    }

    private static Duration timeout(Statement st, boolean zeroAllowed) throws ConfigException {
        Duration d = Values.duration(st.arg(1), false);
        if (d == null) {
            throw st.invalidValue(st.arg(1));
        }
        if (d.isZero() && !zeroAllowed) {
            throw st.error("invalid value \"" + st.arg(1) + "\" in \"" + st.name()
                    + "\" directive, it must be greater than 0");
        }
        return d;
    }

    private static Set<NextUpstream> nextUpstream(Statement st) throws ConfigException {
        EnumSet<NextUpstream> cases = EnumSet.noneOf(NextUpstream.class);
        for (String word : st.args()) {
            if (word.equalsIgnoreCase("off")) {
                if (st.argCount() > 1) {
                    throw st.error("invalid value \"" + word + "\" in \"" + st.name()
                            + "\" directive, it cannot be combined with other values");
                }
                continue;
            }
            NextUpstream c;
            try {
                c = NextUpstream.valueOf(word.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw st.invalidValue(word);
            }
            if (!cases.add(c)) {
                throw st.error("duplicate value \"" + word + "\" in \"" + st.name() + "\" directive");
            }
        }
        return cases;
    }

    /** The directive's file argument, resolved against {@code baseDir} (null: kept as written). */
    static Path path(Statement st, Path baseDir) throws ConfigException {
        Path p;
        try {
            p = Path.of(st.arg(1));
        } catch (InvalidPathException e) {
            throw st.invalidValue(st.arg(1));
        }
        if (st.arg(1).isEmpty()) {
            throw st.invalidValue(st.arg(1));
        }
        return baseDir == null ? p : baseDir.resolve(p);
    }

    /** RFC 9110's tchar: what a header field name is made of. */
    private static boolean isTokenChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
