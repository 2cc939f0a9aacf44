package dev.weft.balance;

import java.io.IOException;

/**
 * Every server of a group is unavailable (failed its health checks or too many requests), or was
 * already tried for this request. A proxy answers 502 Bad Gateway, as nginx does ("no live
 * upstreams").
 */
public final class NoLiveUpstreamException extends IOException {

    private static final long serialVersionUID = 1L;

    NoLiveUpstreamException(String group) {
        super("no live upstreams in group " + group);
    }
}
