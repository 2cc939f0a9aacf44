package dev.weft.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as the handler sees it: the parsed head, the route's path parameters, and the
 * body as a bounded stream. Not thread-safe: it belongs to the connection's thread.
 */
public final class Request {

    private final long id;
    private final RequestHead head;
    private final InetSocketAddress remoteAddress;
    private final String path;
    private final String rawQuery;
    private final InputStream body;
    private final long contentLength;
    private final boolean secure;
    private Map<String, List<String>> query;
    private Map<String, String> pathParams = Map.of();
    private String route;

    Request(long id, RequestHead head, InetSocketAddress remoteAddress, boolean secure, InputStream body,
            long contentLength) {
        this.id = id;
        this.secure = secure;
        this.head = head;
        this.remoteAddress = remoteAddress;
        this.body = body;
        this.contentLength = contentLength;
        String target = head.target();
        String pathAndQuery = target;
        if (head.form() == RequestHead.TargetForm.ABSOLUTE) {
            // The authority ends at the first '/' or '?': a slash inside the query is not the path.
            int end = target.indexOf("://") + 3;
            while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') {
                end++;
            }
            pathAndQuery = end < target.length() && target.charAt(end) == '/'
                    ? target.substring(end) : "/" + target.substring(end);
        } else if (head.form() != RequestHead.TargetForm.ORIGIN) {
            pathAndQuery = "";
        }
        int q = pathAndQuery.indexOf('?');
        this.path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        this.rawQuery = q < 0 ? null : pathAndQuery.substring(q + 1);
    }

    /** A number unique within the server, also in log lines about this request. */
    public long id() {
        return id;
    }

    /** The method, for example {@code GET}; case-sensitive as RFC 9110 says. */
    public String method() {
        return head.method();
    }

    /** The request-target exactly as sent: {@code /a/b?x=1}, {@code http://host/a}, {@code host:443} or {@code *}. */
    public String target() {
        return head.target();
    }

    /** Which of the four request-target forms was used. */
    public RequestHead.TargetForm targetForm() {
        return head.form();
    }

    /** {@code HTTP/1.1} or {@code HTTP/1.0}. */
    public String version() {
        return head.version();
    }

    /** The path of the target, still percent-encoded; "" for authority-form and asterisk-form. */
    public String path() {
        return path;
    }

    /** The query string without {@code ?}, still encoded, or {@code null}. */
    public String rawQuery() {
        return rawQuery;
    }

    /** The first decoded value of query parameter {@code name}, or {@code null}. */
    public String queryParam(String name) {
        List<String> values = queryParams().get(name);
        return values == null ? null : values.get(0);
    }

    /** Every decoded query parameter with its values, in order. */
    public Map<String, List<String>> queryParams() {
        if (query == null) {
            query = QueryString.parse(rawQuery);
        }
        return query;
    }

    /** The header fields, read-only, in the order received. */
    public Headers headers() {
        return head.headers();
    }

    /** The first value of header {@code name} (any case), or {@code null}. */
    public String header(String name) {
        return head.headers().first(name);
    }

    /** The decoded value of path parameter {@code name} from the route, for example {@code {id}}. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** Every path parameter of the route. */
    public Map<String, String> pathParams() {
        return pathParams;
    }

    /** The route template that matched, for example {@code /users/{id}}, or {@code null}. */
    public String route() {
        return route;
    }

    /** The client's address (the peer of this connection; a proxy in front shows up here). */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** Whether the request came over TLS (HTTPS). */
    public boolean isSecure() {
        return secure;
    }

    /** The length the client declared, or -1 for a chunked body; 0 for none. */
    public long contentLength() {
        return contentLength;
    }

    /**
     * The body, streamed from the socket and bounded by the server's limits: reading past
     * {@code maxBodySize} fails with 413, a body slower than the minimum rate with 408. Empty when
     * the request has none. Need not be read to the end: the server drains or closes.
     */
    public InputStream body() {
        return body;
    }

    /** Reads the whole body (at most {@code maxBodySize}) into memory. */
    public byte[] bodyBytes() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream(contentLength > 0 ? (int) Math.min(contentLength, 64 * 1024) : 256);
        body.transferTo(all);
        return all.toByteArray();
    }

    /** Reads the whole body as UTF-8 text. */
    public String bodyAsString() throws IOException {
        return new String(bodyBytes(), StandardCharsets.UTF_8);
    }

    void route(String template, Map<String, String> params) {
        this.route = template;
        this.pathParams = params;
    }

    @Override
    public String toString() {
        return "request " + id + " " + head.method() + " " + head.target();
    }
}
