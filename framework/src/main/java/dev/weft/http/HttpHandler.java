package dev.weft.http;

/**
 * Answers one request: plain blocking code on the connection's virtual thread. Read the body from
 * {@link Request#body()}, answer with {@link Response#send(String)} or {@link Response#stream()}.
 *
 * <p>An exception thrown here becomes a 500 (logged with the request id, method and path, never
 * shown to the client), or closes the connection if the response had already begun. A handler that
 * returns without answering sends an empty response with the status it set (200 by default).
 */
@FunctionalInterface
public interface HttpHandler {

    void handle(Request request, Response response) throws Exception;
}
