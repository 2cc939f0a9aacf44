package dev.weft.examples.lb;

/**
 * How an {@link UpstreamBlock} spreads requests over its servers, one per nginx balancing
 * directive.
 */
public enum Balance {

    /** No balancing directive: nginx's weighted round robin. */
    ROUND_ROBIN,

    /** {@code least_conn;}: the server with the fewest active connections, by weight. */
    LEAST_CONN,

    /** {@code ip_hash;}: by the client address (the first three octets of IPv4, all of IPv6). */
    IP_HASH,

    /** {@code hash KEY [consistent];}: by the evaluated {@link UpstreamBlock#hashKey()}. */
    HASH,

    /** {@code random [two];}: a random server by weight, or the less loaded of two. */
    RANDOM;

    /** Whether the method can fall back to {@code backup} servers: nginx says no for hash, ip_hash and random. */
    public boolean allowsBackup() {
        return this == ROUND_ROBIN || this == LEAST_CONN;
    }

    /** The nginx directive, or null for the default. */
    public String directive() {
        return switch (this) {
            case ROUND_ROBIN -> null;
            case LEAST_CONN -> "least_conn";
            case IP_HASH -> "ip_hash";
            case HASH -> "hash";
            case RANDOM -> "random";
        };
    }
}
