package dev.weft.balance;

import java.io.IOException;

/**
 * No server of a group may take the request: each is {@code down}, failing its health checks,
 * sitting out failed requests, at its {@code max_conns}, or was already tried for this request. A
 * proxy answers 502 Bad Gateway, as nginx does ("no live upstreams"). When servers that are in
 * service were skipped only for their {@code max_conns}, the message says so: like nginx without a
 * {@code queue}, a request is never held to wait for a free slot.
 */
public final class NoLiveUpstreamException extends IOException {

    private static final long serialVersionUID = 1L;

    NoLiveUpstreamException(String group) {
        super("no live upstreams in group " + group);
    }

    NoLiveUpstreamException(String group, String why) {
        super("no live upstreams in group " + group + ": " + why);
    }
}
