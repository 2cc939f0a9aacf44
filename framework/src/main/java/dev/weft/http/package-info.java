/**
 * The HTTP/1.1 layer: strict, streaming request parsing (request line, header fields, message
 * framing, chunked bodies) with every size bounded by {@link dev.weft.http.HttpLimits}.
 *
 * <p>Parsers are socket-free and throw {@link dev.weft.http.HttpException}, which carries the
 * status and the one-line reason the client gets. The server that uses them is in progress.
 */
package dev.weft.http;
