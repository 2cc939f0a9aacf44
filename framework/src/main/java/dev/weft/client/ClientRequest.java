package dev.weft.client;

import dev.weft.http.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A request for {@link HttpClient}: method, {@code http://} URI, headers and an optional body.
 * Immutable; build one with {@link #builder(String, URI)} or the shortcuts.
 *
 * @param method  the method token
 * @param uri     an absolute {@code http} URI
 * @param headers names and values alternating; {@code Host}, {@code Content-Length} and
 *                {@code Transfer-Encoding} are set by the client
 * @param body    the body, or {@code null}
 * @param retryNonIdempotent whether a non-idempotent request with a replayable body may be retried
 *                once after a stale keep-alive connection failed before any response byte
 */
public record ClientRequest(String method, URI uri, List<String> headers, Body body, boolean retryNonIdempotent) {

    /** A request body: its length if known, how to write it, and whether it can be written twice. */
    public interface Body {
        /** The length in bytes, or -1 to send it chunked. */
        long length();

        void writeTo(OutputStream out) throws IOException;

        /** Whether {@link #writeTo} may be called again, for a retry. */
        boolean replayable();

        /** A body of these bytes (replayable, with Content-Length). */
        static Body of(byte[] bytes) {
            byte[] copy = bytes.clone();
            return new Body() {
                @Override
                public long length() {
                    return copy.length;
                }

                @Override
                public void writeTo(OutputStream out) throws IOException {
                    out.write(copy);
                }

                @Override
                public boolean replayable() {
                    return true;
                }
            };
        }

        /** A UTF-8 text body. */
        static Body of(String text) {
            return of(text.getBytes(StandardCharsets.UTF_8));
        }

        /** A streamed body of unknown length, sent chunked, read once (not replayable). */
        static Body streaming(InputStream in) {
            return new Body() {
                @Override
                public long length() {
                    return -1;
                }

                @Override
                public void writeTo(OutputStream out) throws IOException {
                    in.transferTo(out);
                }

                @Override
                public boolean replayable() {
                    return false;
                }
            };
        }
    }

    public ClientRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("an absolute http:// URI is needed, was " + uri);
        }
        headers = List.copyOf(headers);
        if (headers.size() % 2 != 0) {
            throw new IllegalArgumentException("headers must alternate names and values");
        }
        for (int i = 0; i < headers.size(); i += 2) {
            Headers.check(headers.get(i), headers.get(i + 1));
        }
    }

    public static ClientRequest get(URI uri) {
        return builder("GET", uri).build();
    }

    public static ClientRequest post(URI uri, Body body) {
        return builder("POST", uri).body(body).build();
    }

    public static Builder builder(String method, URI uri) {
        return new Builder(method, uri);
    }

    /** GET, HEAD, OPTIONS, TRACE, PUT and DELETE may be sent twice with the same effect (RFC 9110 section 9.2.2). */
    public boolean idempotent() {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }

    /** Builds a {@link ClientRequest}. */
    public static final class Builder {

        private final String method;
        private final URI uri;
        private final List<String> headers = new ArrayList<>();
        private Body body;
        private boolean retryNonIdempotent;

        private Builder(String method, URI uri) {
            this.method = method;
            this.uri = uri;
        }

        public Builder header(String name, String value) {
            headers.add(Objects.requireNonNull(name, "name"));
            headers.add(Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder body(Body value) {
            this.body = value;
            return this;
        }

        /** Allows one retry of a non-idempotent request whose body is replayable (off by default). */
        public Builder retryNonIdempotent(boolean value) {
            this.retryNonIdempotent = value;
            return this;
        }

        public ClientRequest build() {
            return new ClientRequest(method, uri, headers, body, retryNonIdempotent);
        }
    }
}
