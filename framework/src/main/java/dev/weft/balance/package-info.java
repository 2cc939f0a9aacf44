/**
 * Load balancing over upstream groups, the way nginx's {@code upstream} block does it: an
 * {@link dev.weft.balance.UpstreamGroup} of {@link dev.weft.balance.Upstream} servers (weight,
 * {@code max_fails}, {@code fail_timeout}, backup), one {@link dev.weft.balance.Strategy} (round
 * robin, least connections, IP hash), passive health (requests that failed) and active
 * {@link dev.weft.balance.HealthCheck}s (TCP connect or HTTP, with interval, rise, fall and timeout).
 *
 * <p>The proxies pick an upstream per request or connection and say how it went:
 * <pre>{@code
 * try (Pick pick = group.pick(clientAddress)) {
 *     ... connect to pick.endpoint() and forward; on a connect error or reset: pick.markFailed() ...
 * }
 * }</pre>
 *
 * <p>Groups and picks are thread-safe (builders are not). Picking never blocks on I/O (a short lock
 * around the choice); health checks run on virtual threads of their own, each bounded by its timeout.
 */
package dev.weft.balance;
