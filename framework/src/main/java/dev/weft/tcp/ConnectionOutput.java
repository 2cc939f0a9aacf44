package dev.weft.tcp;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/** {@link Connection#out()}: the socket's output with the write timeout and accounting. */
final class ConnectionOutput extends OutputStream {

    private final TcpConnection connection;

    ConnectionOutput(TcpConnection connection) {
        this.connection = connection;
    }

    @Override
    public void write(int b) throws IOException {
        connection.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len > 0) {
            connection.write(b, off, len);
        }
    }

    /** Closes the whole connection, as closing a socket's stream does. */
    @Override
    public void close() {
        connection.close();
    }
}
