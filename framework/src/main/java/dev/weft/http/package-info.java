/**
 * The HTTP/1.1 server: {@link dev.weft.http.HttpServer}, with {@link dev.weft.http.Request} and
 * {@link dev.weft.http.Response} for plain blocking {@link dev.weft.http.HttpHandler}s, one virtual
 * thread per connection.
 *
 * <p>Parsing is strict (RFC 9110/9112) and streaming: bodies are bounded streams, never buffered
 * whole unless a handler asks. Every size and time is bounded by {@link dev.weft.http.HttpLimits};
 * a refused request gets a small {@code text/plain} response with the status of
 * {@link dev.weft.http.HttpException}, and after any framing error the connection is closed.
 */
package dev.weft.http;
