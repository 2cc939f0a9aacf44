package dev.weft.examples.lb;

import dev.weft.proxy.HeaderValue;
import java.util.ArrayList;
import java.util.List;

/**
 * A configuration {@link Value} as the reverse proxy's {@link HeaderValue}: each nginx variable
 * becomes the framework's computation of it, evaluated per request.
 */
final class Variables {

    private Variables() {
    }

    /**
     * The header value of {@code value} in a location of {@code server} that proxies to {@code pass}
     * (null for a {@code return}) and listens on {@code port}.
     */
    static HeaderValue of(Value value, ServerBlock server, ProxyPass pass, int port) {
        List<HeaderValue> parts = new ArrayList<>();
        for (Value.Part part : value.parts()) {
            parts.add(switch (part) {
                case Value.Literal l -> HeaderValue.of(l.text());
                case Value.Var v -> variable(v, server, pass, port);
            });
        }
        return parts.size() == 1 ? parts.get(0) : HeaderValue.concat(parts);
    }

    private static HeaderValue variable(Value.Var v, ServerBlock server, ProxyPass pass, int port) {
        if (v.name().startsWith(Value.HEADER_PREFIX)) {
            return HeaderValue.header(v.headerName());
        }
        String serverName = server.serverNames().isEmpty() ? "" : server.serverNames().get(0);
        return switch (v.name()) {
            case "host" -> {
                HeaderValue host = HeaderValue.host();
                // nginx: the request's host, else the server's first name
                yield (request, upstream) -> request.header("Host") == null && !request.target().contains("://")
                        ? serverName : host.value(request, upstream);
            }
            case "remote_addr" -> HeaderValue.remoteAddr();
            case "remote_port" -> HeaderValue.remotePort();
            case "proxy_add_x_forwarded_for" -> HeaderValue.forwardedFor();
            case "scheme" -> HeaderValue.scheme();
            case "request_uri" -> HeaderValue.requestUri();
            case "uri" -> (request, upstream) -> request.path();
            case "args" -> (request, upstream) -> request.rawQuery() == null ? "" : request.rawQuery();
            case "server_name" -> HeaderValue.of(serverName);
            case "server_port" -> HeaderValue.of(Integer.toString(port));
            case "proxy_host" -> HeaderValue.of(pass == null ? "" : pass.proxyHost());
            case "proxy_port" -> HeaderValue.of(pass == null ? "" : Integer.toString(pass.proxyPort()));
            default -> throw new IllegalArgumentException("no such variable: $" + v.name()); // the reader refuses these
        };
    }
}
