package dev.weft.examples.lb;

import java.util.Locale;

/**
 * A case in which nginx passes a request on to the next server ({@code proxy_next_upstream}).
 * {@code off} is the empty set. As in nginx, {@code error}, {@code timeout} and
 * {@code invalid_header} always count as failed attempts for {@code max_fails}, even when not
 * listed; {@code http_500}, {@code http_502}, {@code http_503}, {@code http_504} and
 * {@code http_429} count only when listed; {@code http_403} and {@code http_404} never do. A
 * request with a non-idempotent method (POST, LOCK, PATCH) that may have reached a server is passed
 * on only with {@link #NON_IDEMPOTENT}, and nothing is passed on once the client got a byte.
 */
public enum NextUpstream {

    /** Connecting, sending the request or reading the response head failed. */
    ERROR,
    /** Connecting, sending the request or reading the response head timed out. */
    TIMEOUT,
    /** The server answered with an empty or invalid response head. */
    INVALID_HEADER,
    HTTP_500,
    HTTP_502,
    HTTP_503,
    HTTP_504,
    HTTP_403,
    HTTP_404,
    HTTP_429,
    /** Also pass on non-idempotent requests that may have reached the server. */
    NON_IDEMPOTENT;

    /** The word in nginx's configuration: {@code invalid_header}. */
    public String nginxName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
