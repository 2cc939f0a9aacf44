package dev.weft.proxy;

import dev.weft.client.ChunkedOutputStream;
import dev.weft.http.Request;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A request body on its way to a server. A body of known length up to {@link #REPLAY_LIMIT} is read
 * whole first (bounded memory), so the request can go to another server if the first fails, as
 * nginx buffers request bodies; a larger or chunked body streams from the client to the server
 * and can be sent once only.
 */
final class OutgoingBody {

    /** The largest body kept in memory so it can be sent again; nginx's client_body_buffer_size is 8-16 KiB. */
    static final int REPLAY_LIMIT = 64 * 1024;

    /** The client's body failed (a limit, a timeout, a reset): the client's problem, not the server's. */
    static final class ClientFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ClientFailure(IOException cause) {
            super(null, cause, false, false);
        }

        IOException io() {
            return (IOException) getCause();
        }
    }

    private final byte[] bytes;
    private final InputStream stream;
    private final long length;
    private boolean started;

    private OutgoingBody(byte[] bytes, InputStream stream, long length) {
        this.bytes = bytes;
        this.stream = stream;
        this.length = length;
    }

    /** The request's body: none, in memory, or streamed. Reading it may answer {@code 100 Continue}. */
    static OutgoingBody of(Request request) throws IOException {
        long length = request.contentLength();
        if (length == 0) {
            return new OutgoingBody(null, null, 0);
        }
        if (length > 0 && length <= REPLAY_LIMIT) {
            return new OutgoingBody(request.bodyBytes(), null, length);
        }
        return new OutgoingBody(null, request.body(), length);
    }

    /** The length to declare, or -1 to send it chunked. */
    long length() {
        return length;
    }

    /** The bytes of a body held in memory, or null. */
    byte[] bytes() {
        return bytes;
    }

    /** Whether the body can be sent (again): it is in memory, or none of its stream was read yet. */
    boolean replayable() {
        return stream == null || !started;
    }

    /**
     * Copies a streamed body to {@code out} (chunked when its length is unknown).
     *
     * @return the body bytes copied
     * @throws ClientFailure if reading from the client failed
     * @throws IOException   if writing to the server failed
     */
    long stream(OutputStream out, byte[] buffer) throws IOException, ClientFailure {
        started = true;
        long copied = 0;
        ChunkedOutputStream chunked = length < 0 ? new ChunkedOutputStream(out) : null;
        OutputStream to = chunked != null ? chunked : out;
        for (;;) {
            int n;
            try {
                n = stream.read(buffer);
            } catch (IOException e) {
                throw new ClientFailure(e);
            }
            if (n < 0) {
                break;
            }
            to.write(buffer, 0, n);
            copied += n;
        }
        if (chunked != null) {
            chunked.finish();
        }
        return copied;
    }
}
