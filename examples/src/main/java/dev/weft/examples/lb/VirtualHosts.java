package dev.weft.examples.lb;

import dev.weft.http.HttpHandler;
import dev.weft.http.Request;
import dev.weft.http.Response;
import dev.weft.proxy.HeaderValue;
import java.util.List;

/**
 * The handler of one listening socket: picks the {@code server} block by the request's host as
 * nginx does (an exact {@code server_name}; else the longest wildcard starting with {@code *.}, or
 * a name starting with {@code .} that also matches the bare domain; else the longest wildcard
 * ending with {@code .*}; else the socket's {@code default_server}, or its first server), then
 * hands the request to that server's {@link Site}.
 */
final class VirtualHosts implements HttpHandler {

    /** A server block as it runs: its names and its locations. */
    record Named(List<String> names, boolean isDefault, Site site) {
    }

    private static final HeaderValue HOST = HeaderValue.host();

    private final List<Named> servers;
    private final Site fallback;

    VirtualHosts(List<Named> servers) {
        this.servers = List.copyOf(servers);
        this.fallback = servers.stream().filter(Named::isDefault).findFirst().orElse(servers.get(0)).site();
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        pick(request.header("Host") == null && !request.target().contains("://") ? "" : HOST.value(request, null))
                .handle(request, response);
    }

    /** The site for {@code host} (lower case, without port). */
    Site pick(String host) {
        Site best = null;
        int bestLength = -1;
        for (Named s : servers) {
            for (String name : s.names()) {
                if (name.equals(host)) {
                    return s.site();
                }
                int length = prefixWildcard(name, host);
                if (length > bestLength) {
                    best = s.site();
                    bestLength = length;
                }
            }
        }
        if (best != null) {
            return best;
        }
        for (Named s : servers) {
            for (String name : s.names()) {
                int length = suffixWildcard(name, host);
                if (length > bestLength) {
                    best = s.site();
                    bestLength = length;
                }
            }
        }
        return best != null ? best : fallback;
    }

    /** How much of {@code host} a {@code *.domain} or {@code .domain} name matches, or -1. */
    private static int prefixWildcard(String name, String host) {
        if (name.startsWith("*.") && host.endsWith(name.substring(1))) {
            return name.length() - 1;
        }
        if (name.startsWith(".") && (host.endsWith(name) || host.equals(name.substring(1)))) {
            return name.length();
        }
        return -1;
    }

    /** How much of {@code host} a {@code name.*} name matches, or -1. */
    private static int suffixWildcard(String name, String host) {
        if (name.endsWith(".*") && host.startsWith(name.substring(0, name.length() - 1))) {
            return name.length() - 1;
        }
        return -1;
    }
}
