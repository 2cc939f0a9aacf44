package dev.weft.examples.lb;

import java.util.Objects;

/**
 * A {@code location [=] PREFIX { ... }} of a server: the requests it takes and what happens to
 * them, either proxied ({@link #proxyPass()}) or answered here ({@link #ret()}), never both.
 *
 * <p>nginx picks the location for a request path like this, and so should a proxy
 * ({@link ServerBlock#location(String)} does): an exact location ({@code =}) equal to the path
 * wins; else the longest prefix the path starts with. {@code ^~ /prefix} is read as a plain
 * prefix, which is what it is without regular-expression locations. A path no location matches
 * gets a 404 (nginx would look for a static file).
 *
 * @param exact             {@code location = /x}: only the path {@code /x}
 * @param prefix            the path or prefix, starting with {@code /}
 * @param proxyPass         where requests go, or null when {@code ret} answers them
 * @param ret               the answer made here, or null when {@code proxyPass} is set
 * @param proxy             the proxy settings in effect here, inheritance applied
 * @param clientMaxBodySize the largest request body, bytes ({@code client_max_body_size},
 *                          inherited; default 1 MiB as nginx); larger bodies get 413
 * @param line              the line of the {@code location} directive
 */
public record Location(boolean exact, String prefix, ProxyPass proxyPass, Return ret, ProxySettings proxy,
        long clientMaxBodySize, int line) {

    /** nginx's {@code client_max_body_size} default, 1m. */
    public static final long DEFAULT_CLIENT_MAX_BODY_SIZE = 1024 * 1024;

    public Location {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(proxy, "proxy");
        if (!prefix.startsWith("/")) {
            throw new IllegalArgumentException("prefix must start with /, was " + prefix);
        }
        if ((proxyPass == null) == (ret == null)) {
            throw new IllegalArgumentException("a location has exactly one of proxy_pass and return");
        }
        if (clientMaxBodySize < 1) {
            throw new IllegalArgumentException("clientMaxBodySize must be positive, was " + clientMaxBodySize);
        }
    }

    /** Whether this location takes {@code path} at all (not whether it is the best match). */
    public boolean matches(String path) {
        return exact ? path.equals(prefix) : path.startsWith(prefix);
    }
}
