package dev.weft.examples.lb;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A {@code server { ... }} block: the sockets it listens on, the host names it answers for, TLS,
 * and its locations, or one {@code return} for every request.
 *
 * <p>Which server takes a request follows nginx, among the servers listening on the socket the
 * request came in on: the one with an exact name equal to the request's host (compared without
 * case, no port), else the longest leading wildcard ({@code *.example.com}, and
 * {@code .example.com}, which also matches {@code example.com}), else the longest trailing one
 * ({@code www.example.*}), else the socket's {@code default_server}, else the first server
 * listening on it. The reader has made sure no name is claimed twice on one socket.
 *
 * @param listens           the {@code listen} directives, at least one
 * @param serverNames       the {@code server_name}s in lower case, in order; {@code [""]} (nginx's
 *                          default, the empty name of requests without a host) when none is given
 * @param sslCertificate    {@code ssl_certificate} (PEM) resolved against the file's directory, or
 *                          null; set whenever a listen has {@code ssl}
 * @param sslCertificateKey {@code ssl_certificate_key}, likewise; set exactly when the certificate is
 * @param locations         the locations in file order; empty exactly when {@code ret} is set
 * @param ret               a server-level {@code return} answering every request, or null
 * @param line              the line of the {@code server} directive
 */
public record ServerBlock(List<Listen> listens, List<String> serverNames, Path sslCertificate,
        Path sslCertificateKey, List<Location> locations, Return ret, int line) {

    public ServerBlock {
        listens = List.copyOf(listens);
        serverNames = List.copyOf(serverNames);
        locations = List.copyOf(locations);
        if (listens.isEmpty() || serverNames.isEmpty()) {
            throw new IllegalArgumentException("a server needs a listen and a name");
        }
        if ((ret == null) == locations.isEmpty()) {
            throw new IllegalArgumentException("a server has either locations or a return");
        }
        if ((sslCertificate == null) != (sslCertificateKey == null)) {
            throw new IllegalArgumentException("a certificate goes with its key");
        }
    }

    /**
     * The location nginx would pick for the normalised request {@code path}: an exact one equal to
     * it, else the longest matching prefix; null if none matches (or the server has a
     * {@link #ret()} instead of locations).
     */
    public Location location(String path) {
        Objects.requireNonNull(path, "path");
        Location best = null;
        for (Location l : locations) {
            if (l.exact() && l.prefix().equals(path)) {
                return l;
            }
            if (!l.exact() && path.startsWith(l.prefix())
                    && (best == null || l.prefix().length() > best.prefix().length())) {
                best = l;
            }
        }
        return best;
    }
}
