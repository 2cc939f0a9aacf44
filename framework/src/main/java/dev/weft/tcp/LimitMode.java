package dev.weft.tcp;

/** What the server does when it already holds {@code maxConnections} connections. */
public enum LimitMode {
    /**
     * Stop calling {@code accept()} until a connection closes. New connections wait in the kernel's
     * listen backlog (capped by {@code net.core.somaxconn}) and are served in turn; nothing is
     * dropped by the server. Each pause is counted in {@code weft.tcp.connections.limit.waits}.
     */
    BACKPRESSURE,
    /**
     * Keep accepting, and close each connection over the limit at once. Counted in
     * {@code weft.tcp.connections.rejected} and as {@code closed{cause=limit}}.
     */
    REJECT
}
