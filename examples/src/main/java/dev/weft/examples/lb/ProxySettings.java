package dev.weft.examples.lb;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The proxy directives in effect for one location, inheritance already applied: a value set in the
 * location wins, else the server's, else the one at the top (http) level, else nginx's default.
 * {@code proxy_set_header} is inherited as a whole, and only when the inner level has none of its
 * own: one header set in a location drops every header set above it.
 *
 * <table>
 * <caption>Fields, nginx directives and defaults</caption>
 * <tr><th>field</th><th>nginx directive</th><th>default</th></tr>
 * <tr><td>{@code headers}</td><td>{@code proxy_set_header}</td><td>none (see {@link #effectiveHeaders()})</td></tr>
 * <tr><td>{@code connectTimeout}</td><td>{@code proxy_connect_timeout}</td><td>60 s</td></tr>
 * <tr><td>{@code sendTimeout}</td><td>{@code proxy_send_timeout}: between two writes to the upstream</td><td>60 s</td></tr>
 * <tr><td>{@code readTimeout}</td><td>{@code proxy_read_timeout}: between two reads from the upstream</td><td>60 s</td></tr>
 * <tr><td>{@code nextUpstream}</td><td>{@code proxy_next_upstream}; empty for {@code off}</td><td>error timeout</td></tr>
 * <tr><td>{@code nextUpstreamTries}</td><td>{@code proxy_next_upstream_tries}; 0 = no limit</td><td>0</td></tr>
 * <tr><td>{@code nextUpstreamTimeout}</td><td>{@code proxy_next_upstream_timeout}; 0 = no limit</td><td>0</td></tr>
 * <tr><td>{@code httpVersion}</td><td>{@code proxy_http_version}, "1.0" or "1.1"</td>
 *     <td>"1.1" (nginx 1.29.7 on; "1.0" before)</td></tr>
 * <tr><td>{@code sslVerify}</td><td>{@code proxy_ssl_verify}</td><td>off</td></tr>
 * <tr><td>{@code sslTrustedCertificate}</td>
 *     <td>{@code proxy_ssl_trusted_certificate}, resolved against the file's directory</td><td>null</td></tr>
 * <tr><td>{@code sslServerName}</td><td>{@code proxy_ssl_server_name}: send SNI</td><td>off</td></tr>
 * <tr><td>{@code sslName}</td><td>{@code proxy_ssl_name}: the name verified and sent as SNI</td>
 *     <td>{@code $proxy_host}</td></tr>
 * </table>
 *
 * @param headers               the {@code proxy_set_header} lines in effect, in order
 * @param connectTimeout        the most a connect to an upstream server may take
 * @param sendTimeout           the most one write to the upstream may wait
 * @param readTimeout           the most one read from the upstream may wait
 * @param nextUpstream          when a request may go on to the next server
 * @param nextUpstreamTries     the most servers tried for one request, 0 for all of them
 * @param nextUpstreamTimeout   the most time spent passing a request on, zero for no limit
 * @param httpVersion           the HTTP version spoken to upstreams
 * @param sslVerify             whether an https upstream's certificate is verified
 * @param sslTrustedCertificate the CA certificates (PEM) to verify it with, or null
 * @param sslServerName         whether the TLS server name (SNI) is sent
 * @param sslName               the server name to verify and send
 */
public record ProxySettings(List<ProxyHeader> headers, Duration connectTimeout, Duration sendTimeout,
        Duration readTimeout, Set<NextUpstream> nextUpstream, int nextUpstreamTries, Duration nextUpstreamTimeout,
        String httpVersion, boolean sslVerify, Path sslTrustedCertificate, boolean sslServerName, Value sslName) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final Set<NextUpstream> DEFAULT_NEXT_UPSTREAM =
            Collections.unmodifiableSet(EnumSet.of(NextUpstream.ERROR, NextUpstream.TIMEOUT));
    public static final String DEFAULT_HTTP_VERSION = "1.1";
    public static final Value DEFAULT_SSL_NAME = Value.of(new Value.Var("proxy_host"));

    /** Every default: what a location gets when no level sets any proxy directive. */
    public static final ProxySettings DEFAULTS = new ProxySettings(List.of(), DEFAULT_CONNECT_TIMEOUT,
            DEFAULT_SEND_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_NEXT_UPSTREAM, 0, Duration.ZERO,
            DEFAULT_HTTP_VERSION, false, null, false, DEFAULT_SSL_NAME);

    public ProxySettings {
        headers = List.copyOf(headers);
        EnumSet<NextUpstream> cases = EnumSet.noneOf(NextUpstream.class);
        cases.addAll(nextUpstream);
        nextUpstream = Collections.unmodifiableSet(cases);
        positive(connectTimeout, "connectTimeout");
        positive(sendTimeout, "sendTimeout");
        positive(readTimeout, "readTimeout");
        Objects.requireNonNull(nextUpstreamTimeout, "nextUpstreamTimeout");
        Objects.requireNonNull(sslName, "sslName");
        if (nextUpstreamTries < 0 || nextUpstreamTimeout.isNegative()) {
            throw new IllegalArgumentException("next upstream tries and timeout must not be negative");
        }
        if (!"1.0".equals(httpVersion) && !"1.1".equals(httpVersion)) {
            throw new IllegalArgumentException("httpVersion must be 1.0 or 1.1, was " + httpVersion);
        }
    }

    /**
     * The header lines nginx sends on top of the client's: {@link #headers()}, then
     * {@code Host: $proxy_host} unless a {@code Host} line is among them. Fields with an empty value
     * are left out. As nginx does, the proxy also drops the client's {@code Host},
     * {@code Connection}, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Expect}
     * and {@code Upgrade}, and frames the body itself ({@code Content-Length} or chunked, which
     * {@code proxy_set_header} may therefore not set).
     */
    public List<ProxyHeader> effectiveHeaders() {
        List<ProxyHeader> all = new ArrayList<>();
        boolean host = false;
        for (ProxyHeader h : headers) {
            host |= h.name().equalsIgnoreCase("Host");
            if (!h.value().isEmpty()) {
                all.add(h);
            }
        }
        if (!host) {
            all.add(new ProxyHeader("Host", Value.of(new Value.Var("proxy_host"))));
        }
        return List.copyOf(all);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
