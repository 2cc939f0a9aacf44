package dev.weft.diag;

import java.net.InetSocketAddress;

/**
 * One TCP socket as the kernel lists it, like a line of {@code ss -tan}.
 *
 * @param local   the local address and port
 * @param remote  the peer's address and port (0.0.0.0:0 for a listener)
 * @param state   the TCP state
 * @param sendQueue    bytes sent and not yet acknowledged (listeners: 0)
 * @param receiveQueue bytes received and not yet read (listeners: connections waiting in the accept queue)
 */
public record SocketEntry(InetSocketAddress local, InetSocketAddress remote, TcpState state, long sendQueue,
        long receiveQueue) {

    /** Whether {@code port} is the local or the remote port. */
    public boolean hasPort(int port) {
        return local.getPort() == port || remote.getPort() == port;
    }

    @Override
    public String toString() {
        return String.format("%-11s %6d %6d  %s -> %s", state, receiveQueue, sendQueue,
                local.getAddress().getHostAddress() + ":" + local.getPort(),
                remote.getAddress().getHostAddress() + ":" + remote.getPort());
    }
}
