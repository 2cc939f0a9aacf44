/**
 * Load balancing over upstream groups, the way nginx's {@code upstream} block does it: an
 * {@link dev.weft.balance.UpstreamGroup} of {@link dev.weft.balance.Upstream} servers, one
 * {@link dev.weft.balance.Strategy}, passive health (requests that failed) and active
 * {@link dev.weft.balance.HealthCheck}s, and a {@link dev.weft.balance.UpstreamStatus} per server
 * for a status page.
 *
 * <p>The proxies pick an upstream per request or connection and say how it went:
 * <pre>{@code
 * List<Upstream> tried = new ArrayList<>();
 * try (Pick pick = group.pick(clientAddress, hashKey, tried)) {
 *     ... connect to pick.endpoint() and forward; on a connect error or reset: pick.markFailed() ...
 *     pick.markResponseTime(elapsed);
 * }
 * }</pre>
 *
 * <table>
 * <caption>nginx's directives and parameters, and what they are here</caption>
 * <tr><th>nginx</th><th>Weft</th></tr>
 * <tr><td>{@code upstream NAME { ... }}</td><td>{@code UpstreamGroup.builder(NAME) ... .build()}</td></tr>
 * <tr><td>{@code server HOST:PORT}</td><td>{@code Builder.add(Upstream.of("HOST:PORT"))}</td></tr>
 * <tr><td>{@code weight=N}</td><td>{@link dev.weft.balance.Upstream#withWeight(int)}</td></tr>
 * <tr><td>{@code max_fails=N fail_timeout=T}</td><td>{@link dev.weft.balance.Upstream#withMaxFails(int, java.time.Duration)}</td></tr>
 * <tr><td>{@code backup}</td><td>{@link dev.weft.balance.Upstream#withBackup(boolean)} (also allowed with the
 *     hash and random strategies, which nginx refuses: backups then serve round robin or at random)</td></tr>
 * <tr><td>{@code down}</td><td>{@link dev.weft.balance.Upstream#withDown(boolean)}</td></tr>
 * <tr><td>{@code max_conns=N}</td><td>{@link dev.weft.balance.Upstream#withMaxConns(int)}; with every server at
 *     its limit, {@link dev.weft.balance.NoLiveUpstreamException} at once (nginx without {@code queue}: 502)</td></tr>
 * <tr><td>(round robin, the default)</td><td>{@link dev.weft.balance.Strategy#ROUND_ROBIN}</td></tr>
 * <tr><td>{@code least_conn}</td><td>{@link dev.weft.balance.Strategy#LEAST_CONNECTIONS}</td></tr>
 * <tr><td>{@code ip_hash}</td><td>{@link dev.weft.balance.Strategy#IP_HASH}, the client's address given to
 *     {@code pick}</td></tr>
 * <tr><td>{@code hash KEY}</td><td>{@link dev.weft.balance.Strategy#HASH}, the evaluated {@code KEY} given to
 *     {@link dev.weft.balance.UpstreamGroup#pick(java.net.InetAddress, String, java.util.Collection)}</td></tr>
 * <tr><td>{@code hash KEY consistent}</td><td>{@link dev.weft.balance.Strategy#CONSISTENT_HASH}</td></tr>
 * <tr><td>{@code random}</td><td>{@link dev.weft.balance.Strategy#RANDOM}</td></tr>
 * <tr><td>{@code random two}, {@code random two least_conn}</td><td>{@link dev.weft.balance.Strategy#RANDOM_TWO}</td></tr>
 * <tr><td>{@code proxy_next_upstream} (the servers tried)</td><td>the {@code tried} argument of
 *     {@code pick}</td></tr>
 * <tr><td>{@code check interval=T rise=N fall=N timeout=T type=tcp}</td><td>{@link dev.weft.balance.HealthCheck#tcp()}
 *     {@code .withInterval(T).withRise(N).withFall(N).withTimeout(T)}</td></tr>
 * <tr><td>{@code check ... type=http}</td><td>{@link dev.weft.balance.HealthCheck#http(String)}</td></tr>
 * <tr><td>{@code check_http_send "..."}</td><td>{@link dev.weft.balance.HealthCheck#withHttpSend(String)}</td></tr>
 * <tr><td>{@code check_http_expect_alive http_2xx http_3xx}</td><td>{@link dev.weft.balance.HealthCheck#withExpectedStatus}
 *     {@code (Set.of(2, 3))}</td></tr>
 * <tr><td>{@code check_status} (the status page)</td><td>{@link dev.weft.balance.UpstreamGroup#status()}, and the
 *     meters {@code weft.upstream.*} tagged {@code upstream} and {@code server}</td></tr>
 * <tr><td>{@code $upstream_response_time}</td><td>{@link dev.weft.balance.Pick#markResponseTime}, shown as
 *     {@link dev.weft.balance.UpstreamStatus#lastResponseTime()}</td></tr>
 * </table>
 *
 * <p>Not here: {@code queue} (a full group fails at once), {@code slow_start} (a server back in
 * service gets its full weight), {@code zone} (a group is one process's only copy), {@code resolve}
 * and {@code service} (names are resolved per connection by the {@link dev.weft.dns.Resolver}),
 * {@code least_time}, {@code sticky}, and the check module's {@code port=} and
 * {@code default_down} (servers start in service).
 *
 * <p>Groups and picks are thread-safe (builders are not). Picking never blocks on I/O (a short lock
 * around the choice); health checks run on virtual threads of their own, each probe bounded by its
 * timeout.
 */
package dev.weft.balance;
