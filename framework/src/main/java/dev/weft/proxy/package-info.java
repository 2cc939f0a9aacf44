/**
 * Proxies over {@link dev.weft.balance.UpstreamGroup}s. So far the TCP proxy
 * ({@link dev.weft.proxy.TcpProxy}, nginx's {@code stream} proxy): each client connection is relayed
 * to one upstream server, both directions on plain blocking copies.
 *
 * <p>Proxies are thread-safe; builders are not.
 */
package dev.weft.proxy;
