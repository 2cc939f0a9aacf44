package dev.weft.proxy;

import dev.weft.http.Headers;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The header fields that belong to one connection and are never forwarded (RFC 9110 section 7.6.1):
 * {@code Connection} and every field it names, {@code Keep-Alive}, {@code Proxy-Connection},
 * {@code TE}, {@code Trailer}, {@code Transfer-Encoding}, {@code Upgrade}, and the proxy's own
 * authentication fields; plus the fields a proxy re-derives itself ({@code Content-Length},
 * {@code Expect}, {@code Host}).
 */
final class HopByHop {

    private static final Set<String> ALWAYS = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate",
            "content-length", "expect", "host");

    /** Field names listed in the message's {@code Connection} fields, lower case; usually none. */
    private final Set<String> named;

    HopByHop(Headers fields) {
        this.named = connectionTokens(fields);
    }

    /** Whether field {@code name} of this message stays on this hop. */
    boolean isHopByHop(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return ALWAYS.contains(lower) || named.contains(lower);
    }

    private static Set<String> connectionTokens(Headers fields) {
        if (!fields.contains("Connection")) {
            return Set.of();
        }
        HashSet<String> tokens = new HashSet<>();
        for (String value : fields.all("Connection")) {
            for (String token : value.split(",")) {
                String t = token.strip().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    tokens.add(t);
                }
            }
        }
        return tokens;
    }
}
