package dev.weft.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;

/** A bound, listening socket of some {@link Transport}. {@link #close()} wakes a blocked accept. */
interface ServerSocketIo {

    /** Blocks until a connection arrives; fails once closed. */
    SocketIo accept() throws IOException;

    InetSocketAddress localAddress();

    void close() throws IOException;

    boolean isClosed();
}
