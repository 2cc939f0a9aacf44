package dev.weft.http;

import dev.weft.tcp.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A connection handed over by {@link Response#switchProtocols()} after {@code 101 Switching
 * Protocols}: it carries the new protocol's bytes now, not HTTP. Read the client's bytes from
 * {@link #in()}, which begins with any that arrived together with the request; write to
 * {@link #out()}. When the handler returns, the server closes the connection.
 */
public final class Upgraded {

    private final Connection connection;
    private final InputStream in;

    Upgraded(Connection connection, HttpInput buffered) {
        this.connection = connection;
        this.in = new InputStream() {
            @Override
            public int read() throws IOException {
                return buffered.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : buffered.read(b, off, len);
            }
        };
    }

    /** The client's bytes, those buffered with the request first. */
    public InputStream in() {
        return in;
    }

    /** Raw bytes to the client. */
    public OutputStream out() {
        return connection.out();
    }

    /** The connection itself: its timeouts, half-close, options and close. Read it through {@link #in()} only. */
    public Connection connection() {
        return connection;
    }
}
