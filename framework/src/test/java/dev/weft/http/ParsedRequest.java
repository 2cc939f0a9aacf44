package dev.weft.http;

import java.nio.charset.StandardCharsets;

/**
 * One request as the server will see it: head, framing, the whole body and the trailers.
 *
 * @param head     the request line and header fields
 * @param framing  how the body was delimited
 * @param body     every body byte, in order
 * @param trailers the trailer fields of a chunked body, empty otherwise
 */
record ParsedRequest(RequestHead head, BodyFraming framing, byte[] body, Headers trailers) {

    /** The body as ISO-8859-1, one char per byte, to compare with the raw test strings. */
    String bodyText() {
        return new String(body, StandardCharsets.ISO_8859_1);
    }
}
