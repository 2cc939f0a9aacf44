package dev.weft.balance;

/**
 * How an {@link UpstreamGroup} chooses among its available servers. Whatever the strategy, a
 * server that is {@code down}, failing its checks, sitting out failed requests, at its
 * {@code max_conns} or already tried for this request is never chosen; backups are chosen only
 * when no other server can be.
 *
 * <p>The hash strategies ({@link #IP_HASH}, {@link #HASH}, {@link #CONSISTENT_HASH}) hash over the
 * primary servers only: backups (which nginx refuses with them) serve round robin while no
 * primary can. {@code hash} and {@code hash consistent} are two values rather than one value and
 * a flag because they are two algorithms with their own data (the ring) and their own failure
 * behaviour, and a group's {@link UpstreamGroup#strategy()} should say all of what it does; a
 * config reader maps {@code hash $key consistent} to one value, as {@code random two} maps to
 * {@link #RANDOM_TWO}.
 */
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
     * a client address goes round robin too.
     */
    IP_HASH,

    /**
     * nginx's {@code hash KEY}: the key given to {@link UpstreamGroup#pick(java.net.InetAddress, String,
     * java.util.Collection)} (the proxy evaluates nginx's variables into it) picks a slot of the
     * total weight, as nginx computes it ({@code (crc32(key) >> 16) & 0x7fff}, compatible with
     * Cache::Memcached), so the same key goes to the same server as in nginx given the same
     * {@code server} lines. If that server is unavailable the key is rehashed (up to 20 times),
     * then round robin decides; a pick without a key (null or empty) goes round robin. A server
     * that is unavailable or {@code down} keeps its slots, so no other key moves while it is out;
     * adding or removing a server moves most keys (use {@link #CONSISTENT_HASH} where that matters).
     */
    HASH,

    /**
     * nginx's {@code hash KEY consistent} (ketama): every server has 160 points per unit of weight
     * on a ring of 32-bit CRC32 values, computed from its {@code host:port} as nginx does; a key
     * goes to the server of the first point at or after the key's CRC32, and if that server is
     * unavailable or was tried, to the next point's server along the ring. Taking one of N
     * servers out moves only its keys (about 1/N of them), each to the server after it; adding a
     * server or weight moves about its new share, all of it to that server. A pick without a key
     * goes round robin.
     */
    CONSISTENT_HASH,

    /** nginx's {@code random}: a server drawn at random, in proportion to its weight. */
    RANDOM,

    /**
     * nginx's {@code random two} (the power of two choices, nginx's default criterion
     * {@code least_conn}): two different servers drawn at random by weight, and the one with fewer
     * requests in flight relative to its weight taken (the first drawn if they are even). Keeps
     * the load even without the herd that {@link #LEAST_CONNECTIONS} sends to a fresh server.
     */
    RANDOM_TWO
}
