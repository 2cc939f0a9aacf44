package dev.weft.proxy;

import dev.weft.client.Endpoint;
import dev.weft.http.Request;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A request header value that a {@link ReverseProxy} computes for each request it forwards: the
 * Java form of nginx's {@code proxy_set_header NAME VALUE} with variables. A null or empty value
 * sends no such field, as in nginx.
 *
 * <pre>{@code
 * ReverseProxy.builder(backends)
 *         .setHeader("Host", HeaderValue.host())
 *         .setHeader("X-Real-IP", HeaderValue.remoteAddr())
 *         .setHeader("X-Forwarded-For", HeaderValue.forwardedFor())
 * }</pre>
 */
@FunctionalInterface
public interface HeaderValue {

    /**
     * The value for {@code request}, going to {@code upstream}.
     *
     * @return the value, or null or "" to send no such field
     */
    String value(Request request, Endpoint upstream);

    /** Always {@code text} (nginx: a literal). */
    static HeaderValue of(String text) {
        Objects.requireNonNull(text, "text");
        return (request, upstream) -> text;
    }

    /**
     * nginx's {@code $host}: the host of an absolute request target, else of the {@code Host}
     * field, without the port and in lower case; else the upstream's host.
     */
    static HeaderValue host() {
        return (request, upstream) -> {
            String authority = request.header("Host");
            String target = request.target();
            int scheme = target.indexOf("://");
            if (scheme > 0) {
                int end = scheme + 3;
                while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
                    end++;
                }
                authority = target.substring(scheme + 3, end);
            }
            if (authority == null || authority.isEmpty()) {
                return upstream.host();
            }
            int at = authority.lastIndexOf('@');
            String host = authority.substring(at + 1);
            int colon = host.lastIndexOf(':');
            if (colon >= 0 && host.indexOf(']', colon) < 0) {
                host = host.substring(0, colon);
            }
            return host.toLowerCase(Locale.ROOT);
        };
    }

    /** nginx's {@code $http_NAME}: the request's {@code name} field as sent (the first, if repeated). */
    static HeaderValue header(String name) {
        Objects.requireNonNull(name, "name");
        return (request, upstream) -> request.header(name);
    }

    /** nginx's {@code $remote_addr}: the client's IP address. */
    static HeaderValue remoteAddr() {
        return (request, upstream) -> request.remoteAddress().getAddress().getHostAddress();
    }

    /** nginx's {@code $remote_port}: the client's port. */
    static HeaderValue remotePort() {
        return (request, upstream) -> Integer.toString(request.remoteAddress().getPort());
    }

    /**
     * nginx's {@code $proxy_add_x_forwarded_for}: the request's {@code X-Forwarded-For} fields
     * joined by {@code ", "}, with the client's address appended; just the address when there are none.
     */
    static HeaderValue forwardedFor() {
        return (request, upstream) -> {
            String client = request.remoteAddress().getAddress().getHostAddress();
            List<String> earlier = request.headers().all("X-Forwarded-For");
            return earlier.isEmpty() ? client : String.join(", ", earlier) + ", " + client;
        };
    }

    /** nginx's {@code $scheme}: {@code https} for a request that came over TLS, else {@code http}. */
    static HeaderValue scheme() {
        return (request, upstream) -> request.isSecure() ? "https" : "http";
    }

    /** nginx's {@code $request_uri}: the request target as sent. */
    static HeaderValue requestUri() {
        return (request, upstream) -> request.target();
    }

    /** The upstream server's {@code host:port} (nginx's {@code $proxy_host} for a literal proxy_pass address). */
    static HeaderValue upstreamAuthority() {
        return (request, upstream) -> upstream.port() == 80 ? upstream.host() : upstream.host() + ":" + upstream.port();
    }

    /** The parts' values one after the other (nginx: {@code "$scheme://$host"}); a null part counts as "". */
    static HeaderValue concat(List<HeaderValue> parts) {
        List<HeaderValue> copy = List.copyOf(parts);
        return (request, upstream) -> {
            StringBuilder value = new StringBuilder();
            for (HeaderValue part : copy) {
                String v = part.value(request, upstream);
                if (v != null) {
                    value.append(v);
                }
            }
            return value.toString();
        };
    }
}
