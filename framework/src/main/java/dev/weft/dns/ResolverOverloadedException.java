package dev.weft.dns;

import java.net.UnknownHostException;

/**
 * The failure of a lookup refused because the resolver's queue was full; callers see an
 * {@link UnknownHostException}, {@link CachingResolver} counts it as {@code kind=overloaded} and
 * never caches it as a negative answer.
 */
final class ResolverOverloadedException extends UnknownHostException {

    private static final long serialVersionUID = 1L;

    ResolverOverloadedException(String message) {
        super(message);
    }
}
