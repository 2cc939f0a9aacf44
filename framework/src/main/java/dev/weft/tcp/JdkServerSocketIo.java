package dev.weft.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** {@link Transport#JDK}: a {@link ServerSocket}. */
final class JdkServerSocketIo implements ServerSocketIo {

    private final ServerSocket serverSocket;

    private JdkServerSocketIo(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
    }

    /**
     * Binds with {@code SO_REUSEADDR}, and with {@code receiveBuffer} (if not null) set before bind so
     * accepted sockets inherit a window scale that fits it.
     */
    static JdkServerSocketIo open(InetSocketAddress address, int backlog, Integer receiveBuffer) throws IOException {
        ServerSocket serverSocket = new ServerSocket();
        try {
            serverSocket.setReuseAddress(true);
            if (receiveBuffer != null) {
                serverSocket.setReceiveBufferSize(receiveBuffer);
            }
            serverSocket.bind(address, backlog);
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
        return new JdkServerSocketIo(serverSocket);
    }

    @Override
    public SocketIo accept() throws IOException {
        Socket socket = serverSocket.accept();
        try {
            return new JdkSocketIo(socket, socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }

    @Override
    public boolean isClosed() {
        return serverSocket.isClosed();
    }
}
