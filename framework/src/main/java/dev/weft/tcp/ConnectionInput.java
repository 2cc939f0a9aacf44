package dev.weft.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/** {@link Connection#in()}: the socket's input with the connection's timeouts and accounting. */
final class ConnectionInput extends InputStream {

    private final TcpConnection connection;
    private byte[] one;

    ConnectionInput(TcpConnection connection) {
        this.connection = connection;
    }

    @Override
    public int read() throws IOException {
        if (one == null) {
            one = new byte[1];
        }
        int n = connection.read(one, 0, 1);
        return n == 1 ? one[0] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return len == 0 ? 0 : connection.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
        return connection.available();
    }

    /** Closes the whole connection, as closing a socket's stream does. */
    @Override
    public void close() {
        connection.close();
    }
}
