package dev.weft.testing;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One request as {@link MockUpstream} received it: the request line, the header fields in the
 * order and spelling they were sent, the body (decoded from {@code Content-Length} or chunked
 * framing), and where it came from. Immutable.
 *
 * <p>The body keeps at most the upstream's {@link MockUpstream#maxRecordedBody(long) recording
 * limit}; beyond it bytes are only counted ({@link #bodySize()}, {@link #bodyTruncated()}). A body
 * the client did not finish (it closed, or sent a broken chunk) is recorded as far as it came, with
 * {@link #bodyComplete()} false; an answer that {@link Answer#beforeRequestBody() does not wait for
 * the body} records none.
 */
public final class RecordedRequest {

    /**
     * One header field, as sent.
     *
     * @param name  the field name, in the sender's case
     * @param value the field value, without leading and trailing spaces and tabs
     */
    public record Field(String name, String value) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private final String method;
    private final String target;
    private final String version;
    private final List<Field> headers;
    private final byte[] body;
    private final long bodySize;
    private final boolean bodyComplete;
    private final int connectionIndex;
    private final int requestIndex;
    private final InetSocketAddress peer;

    RecordedRequest(String method, String target, String version, List<Field> headers, byte[] body,
            long bodySize, boolean bodyComplete, int connectionIndex, int requestIndex, InetSocketAddress peer) {
        this.method = method;
        this.target = target;
        this.version = version;
        this.headers = List.copyOf(headers);
        this.body = body.clone();
        this.bodySize = bodySize;
        this.bodyComplete = bodyComplete;
        this.connectionIndex = connectionIndex;
        this.requestIndex = requestIndex;
        this.peer = peer;
    }

    /** The method, for example {@code GET}: the request line's first word, as sent. */
    public String method() {
        return method;
    }

    /** The request target, for example {@code /users/7?full=1}: the request line's second word. */
    public String target() {
        return target;
    }

    /** The version, for example {@code HTTP/1.1}: the request line's third word (empty if missing). */
    public String version() {
        return version;
    }

    /** {@code method target version}, as one line. */
    public String requestLine() {
        return version.isEmpty() ? method + " " + target : method + " " + target + " " + version;
    }

    /** Every header field in the order received, names as sent. */
    public List<Field> headers() {
        return headers;
    }

    /** The value of the first field named {@code name} (any case), or {@code null}. */
    public String header(String name) {
        for (Field f : headers) {
            if (f.name().equalsIgnoreCase(name)) {
                return f.value();
            }
        }
        return null;
    }

    /** The values of every field named {@code name} (any case), in order. */
    public List<String> headerValues(String name) {
        List<String> values = new ArrayList<>();
        for (Field f : headers) {
            if (f.name().equalsIgnoreCase(name)) {
                values.add(f.value());
            }
        }
        return values;
    }

    /** The decoded body, up to the recording limit (a copy). */
    public byte[] body() {
        return body.clone();
    }

    /** The recorded body as UTF-8. */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** How many body bytes arrived, recorded or not. */
    public long bodySize() {
        return bodySize;
    }

    /** Whether more body bytes arrived than the recording limit kept. */
    public boolean bodyTruncated() {
        return bodySize > body.length;
    }

    /** Whether the body arrived whole, as its framing declared (true for a request without a body). */
    public boolean bodyComplete() {
        return bodyComplete;
    }

    /** Which connection carried it: 0 for the first connection the upstream accepted, then 1, 2, ... */
    public int connectionIndex() {
        return connectionIndex;
    }

    /** Which request it was on its connection: 0 for the first; 1 or more shows keep-alive reuse. */
    public int requestIndex() {
        return requestIndex;
    }

    /** The client's address and port. */
    public InetSocketAddress peer() {
        return peer;
    }

    @Override
    public String toString() {
        return requestLine() + " (connection " + connectionIndex + ", request " + requestIndex + ", "
                + headers.size() + " header fields, " + bodySize + " body bytes from " + peer + ")";
    }
}
