package dev.weft.examples.lb;

import java.util.List;
import java.util.Objects;

/**
 * An {@code upstream NAME { ... }} block: a named group of servers, how requests are spread over
 * them, idle connections kept, and the active check.
 *
 * @param name       the name {@code proxy_pass http://NAME} refers to (compared without case)
 * @param balance    the balancing method
 * @param hashKey    for {@link Balance#HASH}, the key evaluated per request; else null
 * @param consistent for {@link Balance#HASH}, {@code hash KEY consistent} (ketama); else false
 * @param randomTwo  for {@link Balance#RANDOM}, {@code random two} (pick two, take the one with
 *                   fewer active connections); else false
 * @param servers    the {@code server} lines, in order; at least one
 * @param keepalive  {@code keepalive N}: idle connections kept per upstream, 0 for none; null when
 *                   not set, which since nginx 1.29.7 means {@value #DEFAULT_KEEPALIVE}
 *                   ({@link #keepaliveOrDefault()})
 * @param check      the active check, or null for none
 * @param line       the line of the {@code upstream} directive
 */
public record UpstreamBlock(String name, Balance balance, Value hashKey, boolean consistent, boolean randomTwo,
        List<UpstreamServer> servers, Integer keepalive, Check check, int line) {

    /** nginx's idle-connection cache per worker since 1.29.7 (before, none without the directive). */
    public static final int DEFAULT_KEEPALIVE = 32;

    public UpstreamBlock {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(balance, "balance");
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no servers in upstream " + name);
        }
        if ((balance == Balance.HASH) != (hashKey != null)) {
            throw new IllegalArgumentException("a hash key goes with, and only with, hash balancing");
        }
        if (consistent && balance != Balance.HASH || randomTwo && balance != Balance.RANDOM) {
            throw new IllegalArgumentException("consistent needs hash, two needs random");
        }
        if (keepalive != null && keepalive < 0) {
            throw new IllegalArgumentException("keepalive must not be negative, was " + keepalive);
        }
    }

    /** {@link #keepalive()}, or {@value #DEFAULT_KEEPALIVE} when it was not set. */
    public int keepaliveOrDefault() {
        return keepalive == null ? DEFAULT_KEEPALIVE : keepalive;
    }
}
