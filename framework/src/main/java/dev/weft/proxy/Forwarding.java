package dev.weft.proxy;

import dev.weft.client.ConnectionPool;
import dev.weft.client.Endpoint;
import dev.weft.http.Request;

/**
 * What an {@link UpstreamExchange} needs from the proxy it works for: the reverse proxy and the
 * forward proxy forward requests the same way and differ only here.
 */
interface Forwarding {

    /** The pooled connections to the servers. */
    ConnectionPool pool();

    /** The request target to send the server (origin-form). */
    String targetFor(Request request);

    /** Whether the request's own field {@code name} is replaced by one the proxy sets. */
    boolean setsHeader(String name);

    /** Appends the fields the proxy sets, {@code Name: value\r\n} each. */
    void appendSetHeaders(StringBuilder head, Request request, Endpoint endpoint);

    /** Whether a response of this status may be dropped for another server. */
    boolean retriesOnStatus(int status);

    /** The idle sweeper of protocol-switch tunnels. */
    RelaySweeper tunnels();

    /** Counts how a tunnel ended. */
    void tunnelled(Relay.Outcome outcome);
}
