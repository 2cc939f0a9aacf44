package dev.weft.examples.lb;

import java.util.Objects;

/**
 * A location's {@code proxy_pass http[s]://TARGET[/uri];}, where the target is an
 * {@code upstream} block's name or a {@code host[:port]}.
 *
 * <p>The request line sent on follows nginx: with a URI part ({@link #uri()} not null, even just
 * {@code "/"}), the part of the normalised request path that matched the location's prefix is
 * replaced by it ({@code location /name/ { proxy_pass http://127.0.0.1/remote/; }} sends
 * {@code /name/x} as {@code /remote/x}); without one, the request URI goes on as the client sent
 * it.
 *
 * @param scheme       {@code "http"} or {@code "https"}
 * @param upstreamName the upstream block's name as declared, or null for a literal host
 * @param host         the upstream's name, or the literal host (IPv6 without brackets)
 * @param port         the literal port, or 80/443 by scheme when none was written (always so for an upstream)
 * @param uri          the URI part from its {@code /} on, or null when there is none
 */
public record ProxyPass(String scheme, String upstreamName, String host, int port, String uri) {

    public ProxyPass {
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("scheme must be http or https, was " + scheme);
        }
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, was " + port);
        }
        if (uri != null && !uri.startsWith("/")) {
            throw new IllegalArgumentException("uri must start with /, was " + uri);
        }
    }

    /** True if a URI part was written, which then replaces the location's matched prefix. */
    public boolean hasUri() {
        return uri != null;
    }

    /** The port the scheme implies: 80 or 443. */
    public int defaultPort() {
        return "https".equals(scheme) ? 443 : 80;
    }

    /**
     * nginx's {@code $proxy_host}: the host, with {@code :port} when the port is not the scheme's;
     * the default {@code Host} header and TLS server name.
     */
    public String proxyHost() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == defaultPort() ? h : h + ":" + port;
    }

    /** nginx's {@code $proxy_port}. */
    public int proxyPort() {
        return port;
    }
}
