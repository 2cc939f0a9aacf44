package dev.weft.balance;

/** How an {@link UpstreamGroup} chooses among its available servers. */
public enum Strategy {

    /**
     * nginx's default: smooth weighted round robin. Over any run of requests each server gets its
     * share by weight, spread out rather than in bursts (weights 5, 1, 1 give a a b a c a a).
     */
    ROUND_ROBIN,

    /**
     * nginx's {@code least_conn}: the server with the fewest requests in flight relative to its
     * weight; ties go round robin. For long or uneven requests (downloads, tunnels).
     */
    LEAST_CONNECTIONS,

    /**
     * nginx's {@code ip_hash}: a client always goes to the same server while that server is
     * available (sessions kept on one server). An IPv4 client is keyed by the first three octets of
     * its address, so one /24 shares a server, an IPv6 client by its whole address. If its server
     * is unavailable the hash is retried (up to 20 times), then round robin decides; a pick without
     * a client address goes round robin too. Backups (which nginx refuses with {@code ip_hash})
     * serve round robin while every primary is out.
     */
    IP_HASH
}
