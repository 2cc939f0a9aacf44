package dev.weft.client;

import java.net.SocketTimeoutException;

/** A write to a pooled connection made no progress for the pool's write timeout (the server stopped reading). */
public final class WriteTimeoutException extends SocketTimeoutException {

    private static final long serialVersionUID = 1L;

    WriteTimeoutException(String message) {
        super(message);
    }
}
