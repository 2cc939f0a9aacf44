package dev.weft.tcp;

/**
 * The code that serves one connection, run on that connection's own virtual thread.
 *
 * <p>Write it as ordinary blocking code: read from {@link Connection#in()}, write to
 * {@link Connection#out()}, return when done. The server closes the connection when the handler
 * returns or throws, and counts why it ended (see {@link CloseCause}). A thrown exception is logged
 * with the connection id and remote address and affects no other connection.
 *
 * <p>One instance serves every connection concurrently, so it must be thread-safe; state that
 * belongs to one connection lives in local variables.
 */
@FunctionalInterface
public interface ConnectionHandler {

    /**
     * Serves one connection until it is finished.
     *
     * @param connection the accepted connection, valid until this method returns
     * @throws Exception any failure; it ends this connection only
     */
    void handle(Connection connection) throws Exception;
}
