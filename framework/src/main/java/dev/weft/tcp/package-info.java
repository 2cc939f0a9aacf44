/**
 * The TCP server core: one virtual thread per accepted connection running plain blocking code.
 *
 * <p>Start with {@link dev.weft.tcp.TcpServer#builder()}; a handler is a {@link dev.weft.tcp.ConnectionHandler}
 * that reads {@link dev.weft.tcp.Connection#in()} and writes {@link dev.weft.tcp.Connection#out()}.
 */
package dev.weft.tcp;
