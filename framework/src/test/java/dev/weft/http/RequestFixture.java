package dev.weft.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives the parsers the way the connection loop will: {@link RequestHeadParser#read}, then
 * {@link BodyFraming#of}, then the body stream read to its end, then the next request on the same
 * {@link HttpInput}. Test-only: the production loop is not written yet.
 */
final class RequestFixture {

    /**
     * What a connection's bytes parsed into: the requests read completely, in order, and the
     * refusal that stopped the loop, if any (after which a server closes the connection).
     */
    record Outcome(List<ParsedRequest> requests, HttpException error) {
    }

    private RequestFixture() {
    }

    /** Parses every request in {@code raw}, delivered as {@code delivery} says. */
    static Outcome parseAll(byte[] raw, HttpLimits limits, Delivery delivery) throws IOException {
        return parseAll(delivery.open(raw), limits, delivery.bodyReadSize());
    }

    static Outcome parseAll(String raw, HttpLimits limits, Delivery delivery) throws IOException {
        return parseAll(delivery.open(raw), limits, delivery.bodyReadSize());
    }

    /** Reads requests until a clean end of stream or the first {@link HttpException}. */
    static Outcome parseAll(HttpInput in, HttpLimits limits, int bodyReadSize) throws IOException {
        List<ParsedRequest> requests = new ArrayList<>();
        try {
            ParsedRequest request;
            while ((request = next(in, limits, bodyReadSize)) != null) {
                requests.add(request);
            }
            return new Outcome(List.copyOf(requests), null);
        } catch (HttpException e) {
            return new Outcome(List.copyOf(requests), e);
        }
    }

    /**
     * Reads one request and its whole body.
     *
     * @param bodyReadSize bytes asked for per body read, 0 to read byte by byte
     * @return the request, or {@code null} at a clean end of stream
     */
    static ParsedRequest next(HttpInput in, HttpLimits limits, int bodyReadSize) throws IOException {
        RequestHead head = new RequestHeadParser(limits).read(in);
        if (head == null) {
            return null;
        }
        BodyFraming framing = BodyFraming.of(head);
        if (framing.chunked()) {
            ChunkedInputStream body = new ChunkedInputStream(in, limits);
            byte[] bytes = drain(body, bodyReadSize);
            if (!body.isComplete()) {
                throw new AssertionError("chunked body ended without its last chunk");
            }
            return new ParsedRequest(head, framing, bytes, body.trailers());
        }
        FixedLengthInputStream body = new FixedLengthInputStream(in, framing.length());
        byte[] bytes = drain(body, bodyReadSize);
        if (!body.isComplete() || bytes.length != framing.length()) {
            throw new AssertionError("fixed-length body ended after " + bytes.length + " of "
                    + framing.length() + " bytes");
        }
        return new ParsedRequest(head, framing, bytes, new Headers());
    }

    private static byte[] drain(InputStream body, int readSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (readSize == 0) {
            int b;
            while ((b = body.read()) >= 0) {
                out.write(b);
            }
        } else {
            byte[] buf = new byte[readSize];
            int n;
            while ((n = body.read(buf, 0, buf.length)) >= 0) {
                if (n == 0) {
                    throw new AssertionError("a body read of " + readSize + " bytes returned 0");
                }
                out.write(buf, 0, n);
            }
        }
        // The end must stay the end: a second look may not start reading the next request.
        if (body.read() != -1 || body.read(new byte[4], 0, 4) != -1) {
            throw new AssertionError("body stream returned data after its end");
        }
        return out.toByteArray();
    }
}
