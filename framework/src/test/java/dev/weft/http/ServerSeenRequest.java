package dev.weft.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a handler saw of one request, copied out of the {@link Request} on the connection's thread
 * so that the test thread can check it after the response arrived.
 *
 * @param body the body bytes as ISO-8859-1 text, or null when the handler did not read the body
 */
record ServerSeenRequest(String method, String target, RequestHead.TargetForm form, String version, String path,
        String rawQuery, Map<String, List<String>> query, Map<String, String> pathParams, String route,
        List<String[]> headers, long contentLength, String body) {

    /** Copies the head of {@code req}; reads the whole body too if {@code readBody}. */
    static ServerSeenRequest of(Request req, boolean readBody) throws IOException {
        String body = readBody ? new String(req.bodyBytes(), StandardCharsets.ISO_8859_1) : null;
        List<String[]> headers = new ArrayList<>();
        for (int i = 0; i < req.headers().size(); i++) {
            headers.add(new String[] {req.headers().name(i), req.headers().value(i)});
        }
        return new ServerSeenRequest(req.method(), req.target(), req.targetForm(), req.version(), req.path(),
                req.rawQuery(), Map.copyOf(req.queryParams()), Map.copyOf(req.pathParams()), req.route(),
                List.copyOf(headers), req.contentLength(), body);
    }

    /** The first value of header {@code name} (any case), or null. */
    String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /** Every value of header {@code name}, in order. */
    List<String> headers(String name) {
        List<String> values = new ArrayList<>();
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                values.add(h[1]);
            }
        }
        return values;
    }

    @Override
    public String toString() {
        return method + " " + target + " " + version + " path=" + path + " query=" + query + " params=" + pathParams
                + " route=" + route + " contentLength=" + contentLength + " body=" + body;
    }
}
