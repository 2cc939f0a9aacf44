package dev.weft.http;

import static dev.weft.http.RawHttpClient.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.RawHttpClient.RawResponse;
import dev.weft.http.RequestHead.TargetForm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Raw requests written from RFC 9110 and RFC 9112, one per row, each sent on its own connection to
 * a running {@link HttpServer}. A valid request must reach the right handler with exactly the
 * method, target, fields and body that were sent, and leave the connection usable (a follow-up
 * request on it is served). A refused one must get its exact status in a small {@code text/plain}
 * response, no handler may have seen it, and where the framing can no longer be trusted the
 * response says {@code Connection: close} and the server closes.
 *
 * <p>Two servers with the same small limits: "routed" (GET /, POST /echo, GET /users/{id}; no
 * fallback, so 404 and 405 are the router's) and "fallback" (only a fallback handler, for the
 * target forms no route template can match: asterisk-form and authority-form).
 */
class ServerProtocolTableTest {

    static final int MAX_LINE = 256;
    static final int MAX_HEADER_SIZE = 1024;
    static final int MAX_HEADER_COUNT = 20;
    static final int MAX_BODY = 1024;
    static final int MAX_CHUNK_LINE = 64;
    static final int MAX_TRAILER = 128;

    static final HttpLimits LIMITS = HttpLimits.DEFAULTS
            .withMaxRequestLineLength(MAX_LINE)
            .withMaxHeaderSize(MAX_HEADER_SIZE)
            .withMaxHeaderCount(MAX_HEADER_COUNT)
            .withMaxBodySize(MAX_BODY)
            .withMaxChunkExtensionSize(MAX_CHUNK_LINE)
            .withMaxTrailerSize(MAX_TRAILER);

    private static final String SMUGGLED = head("GET /users/1 HTTP/1.1", "Host: h");
    private static final String FOLLOW_UP = head("GET / HTTP/1.1", "Host: follow-up");
    private static final AtomicReference<ServerSeenRequest> SEEN = new AtomicReference<>();
    private static final ServerHarness ROUTED = new ServerHarness();
    private static final ServerHarness FALLBACK = new ServerHarness();

    @BeforeAll
    static void start() {
        ROUTED.start(b -> b.limits(LIMITS)
                .get("/", (req, res) -> {
                    SEEN.set(ServerSeenRequest.of(req, false));
                    res.send("root\n");
                })
                .post("/echo", (req, res) -> {
                    ServerSeenRequest seen = ServerSeenRequest.of(req, true);
                    SEEN.set(seen);
                    res.send(seen.body().getBytes(StandardCharsets.ISO_8859_1));
                })
                .get("/users/{id}", (req, res) -> {
                    SEEN.set(ServerSeenRequest.of(req, false));
                    res.send("user " + req.pathParam("id") + "\n");
                }));
        FALLBACK.start(b -> b.limits(LIMITS).fallback((req, res) -> {
            SEEN.set(ServerSeenRequest.of(req, true));
            // Tunnels are not this server's business: a CONNECT gets a plain refusal from the handler.
            res.send(req.method().equals("CONNECT") ? 501 : 200, "fallback\n");
        }));
    }

    @AfterAll
    static void stop() {
        ROUTED.close();
        FALLBACK.close();
    }

    /** Where a row goes and what must come back. */
    static final class Row {
        final String name;
        final String raw;
        int status;
        boolean closes;
        boolean handlerRuns;
        boolean fallback;
        boolean halfClose;
        boolean headRequest;
        Consumer<ServerSeenRequest> seenCheck;
        Consumer<RawResponse> responseCheck;

        private Row(String name, String raw, int status, boolean closes, boolean handlerRuns) {
            this.name = name;
            this.raw = raw;
            this.status = status;
            this.closes = closes;
            this.handlerRuns = handlerRuns;
        }

        /** Also checks what the handler saw. */
        Row seen(Consumer<ServerSeenRequest> check) {
            this.seenCheck = check;
            return this;
        }

        Row response(Consumer<RawResponse> check) {
            this.responseCheck = check;
            return this;
        }

        Row closes() {
            this.closes = true;
            return this;
        }

        Row keepsOpen() {
            this.closes = false;
            return this;
        }

        Row status(int value) {
            this.status = value;
            return this;
        }

        Row onFallback() {
            this.fallback = true;
            return this;
        }

        /** Sends FIN after the raw bytes: the server sees the stream end there. */
        Row halfClose() {
            this.halfClose = true;
            return this;
        }

        Row headRequest() {
            this.headRequest = true;
            return this;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A request the handler must receive and answer with 200, the connection staying open. */
    static Row ok(String name, String raw) {
        return new Row(name, raw, 200, false, true);
    }

    /** A request refused with {@code status} before any handler saw it, the connection closed. */
    static Row refused(String name, String raw, int status) {
        return new Row(name, raw, status, true, false);
    }

    /** A request the router answers ({@code 404}, {@code 405}) without a handler, keeping the connection. */
    static Row routed(String name, String raw, int status) {
        return new Row(name, raw, status, false, false);
    }

    static String post(String body, String... fields) {
        String[] lines = new String[fields.length + 2];
        lines[0] = "POST /echo HTTP/1.1";
        lines[1] = "Host: example.com";
        System.arraycopy(fields, 0, lines, 2, fields.length);
        return head(lines) + body;
    }

    static String chunked(String chunks) {
        return post(chunks, "Transfer-Encoding: chunked");
    }

    static String get(String target, String... fields) {
        String[] lines = new String[fields.length + 1];
        lines[0] = "GET " + target + " HTTP/1.1";
        System.arraycopy(fields, 0, lines, 1, fields.length);
        return head(lines);
    }

    static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.addAll(validRequests());
        rows.addAll(routerAnswers());
        rows.addAll(requestLine());
        rows.addAll(headerFields());
        rows.addAll(host());
        rows.addAll(bodyFraming());
        rows.addAll(chunkedBodies());
        rows.addAll(limits());
        return rows;
    }

    static Stream<Arguments> table() {
        return rows().stream().map(r -> Arguments.of(r.name, r));
    }

    static List<Row> validRequests() {
        return List.of(
                ok("GET in origin-form", get("/", "Host: example.com")).seen(s -> {
                    assertEquals("GET", s.method());
                    assertEquals("/", s.target());
                    assertEquals(TargetForm.ORIGIN, s.form());
                    assertEquals("HTTP/1.1", s.version());
                    assertEquals("/", s.route());
                    assertEquals("example.com", s.header("Host"));
                    assertEquals(0, s.contentLength());
                }).response(r -> assertEquals("root\n", r.bodyText())),
                ok("query parameters: repeats, + as space, missing value, percent-escapes",
                        get("/?a=1&b=x+y&a=2&c&d=&e=%C3%A9%26", "Host: h")).seen(s -> {
                            assertEquals("/", s.path());
                            assertEquals("a=1&b=x+y&a=2&c&d=&e=%C3%A9%26", s.rawQuery());
                            assertEquals(Map.of("a", List.of("1", "2"), "b", List.of("x y"), "c", List.of(""),
                                    "d", List.of(""), "e", List.of("\u00e9&")), s.query());
                        }),
                ok("path parameter", get("/users/42", "Host: h")).seen(s -> {
                    assertEquals("/users/{id}", s.route());
                    assertEquals(Map.of("id", "42"), s.pathParams());
                    assertEquals("/users/42", s.path());
                }).response(r -> assertEquals("user 42\n", r.bodyText())),
                ok("percent-encoded path parameter is decoded as UTF-8", get("/users/J%C3%B6rg%20M", "Host: h"))
                        .seen(s -> assertEquals(Map.of("id", "J\u00f6rg M"), s.pathParams())),
                ok("POST with Content-Length", post("hello", "Content-Length: 5")).seen(s -> {
                    assertEquals("POST", s.method());
                    assertEquals("hello", s.body());
                    assertEquals(5, s.contentLength());
                }).response(r -> assertEquals("hello", r.bodyText())),
                ok("a body that looks like a request is only a body",
                        post(SMUGGLED, "Content-Length: " + SMUGGLED.length()))
                        .seen(s -> assertEquals(SMUGGLED, s.body())),
                ok("Content-Length: 0", post("", "Content-Length: 0"))
                        .seen(s -> assertEquals("", s.body())),
                ok("POST without a body", post(""))
                        .seen(s -> assertEquals("", s.body())),
                ok("identical Content-Length values in one field", post("hello", "Content-Length: 5, 5"))
                        .seen(s -> assertEquals("hello", s.body())),
                ok("identical Content-Length fields", post("hello", "Content-Length: 5", "Content-Length: 5"))
                        .seen(s -> assertEquals("hello", s.body())),
                ok("Content-Length with leading zeros", post("hello", "Content-Length: 0005"))
                        .seen(s -> assertEquals("hello", s.body())),
                ok("Content-Length with OWS around it", post("hello", "Content-Length: \t 5 \t"))
                        .seen(s -> assertEquals("hello", s.body())),
                ok("chunked body", chunked("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")).seen(s -> {
                    assertEquals("hello world", s.body());
                    assertEquals(-1, s.contentLength());
                }),
                ok("chunk extensions, token and quoted values", chunked("5;a=b;c=\"q \\\" v\";flag\r\nhello\r\n0\r\n\r\n"))
                        .seen(s -> assertEquals("hello", s.body())),
                ok("chunk extension with BWS", chunked("5 ; a = b\r\nhello\r\n0\r\n\r\n"))
                        .seen(s -> assertEquals("hello", s.body())),
                ok("upper-case hex chunk size with leading zeros",
                        chunked("0000000000000000000A\r\n0123456789\r\n0\r\n\r\n"))
                        .seen(s -> assertEquals("0123456789", s.body())),
                ok("chunked body with trailer fields", chunked("3\r\nabc\r\n0\r\nX-Sum: 3\r\nX-More: y\r\n\r\n"))
                        .seen(s -> assertEquals("abc", s.body())),
                ok("Transfer-Encoding coding names are case-insensitive",
                        post("3\r\nabc\r\n0\r\n\r\n", "Transfer-Encoding: Chunked"))
                        .seen(s -> assertEquals("abc", s.body())),
                ok("Transfer-Encoding after HTAB", post("3\r\nabc\r\n0\r\n\r\n", "Transfer-Encoding:\tchunked"))
                        .seen(s -> assertEquals("abc", s.body())),
                ok("field names are case-insensitive", get("/", "hOsT: example.com", "x-ToKeN: v"))
                        .seen(s -> {
                            assertEquals("example.com", s.header("Host"));
                            assertEquals("v", s.header("X-Token"));
                        }),
                ok("obs-text in a field value", get("/", "Host: h", "X-Latin: caf\u00e9"))
                        .seen(s -> assertEquals("caf\u00e9", s.header("X-Latin"))),
                ok("OWS around a value is trimmed, inside it is kept", get("/", "Host: h", "X-T: \t a \t b \t"))
                        .seen(s -> assertEquals("a \t b", s.header("X-T"))),
                ok("empty field value", get("/", "Host: h", "X-Empty:"))
                        .seen(s -> assertEquals(List.of(""), s.headers("X-Empty"))),
                ok("repeated fields kept in order", get("/", "Host: h", "X-R: 1", "X-Other: o", "X-R: 2"))
                        .seen(s -> assertEquals(List.of("1", "2"), s.headers("X-R"))),
                ok("one empty line before the request line is ignored", "\r\n" + get("/users/7", "Host: h"))
                        .seen(s -> assertEquals("7", s.pathParams().get("id"))),
                ok("HTTP/1.0 without Host, closed after the response", head("GET /users/10 HTTP/1.0"))
                        .closes()
                        .seen(s -> {
                            assertEquals("HTTP/1.0", s.version());
                            assertNull(s.header("Host"));
                        }),
                ok("HTTP/1.0 with a Content-Length body", head("POST /echo HTTP/1.0", "Content-Length: 2") + "hi")
                        .closes()
                        .seen(s -> assertEquals("hi", s.body())),
                ok("HTTP/1.0 with Connection: keep-alive stays open", head("GET / HTTP/1.0", "Connection: keep-alive"))
                        .response(r -> assertTrue(r.hasToken("Connection", "keep-alive"), r::toString)),
                ok("Host with a port", get("/", "Host: example.com:8080"))
                        .seen(s -> assertEquals("example.com:8080", s.header("Host"))),
                ok("Host with an IPv6 literal", get("/", "Host: [2001:db8::1]:8080"))
                        .seen(s -> assertEquals("[2001:db8::1]:8080", s.header("Host"))),
                ok("empty Host (authority without a host)", get("/", "Host:"))
                        .seen(s -> assertEquals("", s.header("Host"))),
                ok("absolute-form: path, query and route from the target",
                        get("http://example.com:8080/users/7?x=1", "Host: other.example")).seen(s -> {
                            assertEquals(TargetForm.ABSOLUTE, s.form());
                            assertEquals("http://example.com:8080/users/7?x=1", s.target());
                            assertEquals("/users/7", s.path());
                            assertEquals("x=1", s.rawQuery());
                            assertEquals(Map.of("id", "7"), s.pathParams());
                        }),
                ok("absolute-form without a path is /", get("http://example.com", "Host: example.com"))
                        .seen(s -> {
                            assertEquals("/", s.route());
                            assertEquals("/", s.path());
                        }),
                ok("absolute-form with a query but no path: the query's slash is not the path",
                        get("http://example.com?next=/users/1", "Host: example.com")).seen(s -> {
                            assertEquals("/", s.route());
                            assertEquals("/", s.path());
                            assertEquals("next=/users/1", s.rawQuery());
                        }),
                ok("HEAD is served by the GET route, without a body", head("HEAD / HTTP/1.1", "Host: h"))
                        .headRequest()
                        .seen(s -> assertEquals("HEAD", s.method()))
                        .response(r -> {
                            assertEquals("5", r.header("Content-Length"));
                            assertEquals(0, r.body.length);
                        }),
                ok("an unread Content-Length body is drained", get("/", "Host: h", "Content-Length: 10") + "0123456789")
                        .seen(s -> assertEquals(10, s.contentLength())),
                ok("an unread chunked body is drained",
                        get("/", "Host: h", "Transfer-Encoding: chunked") + "a\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n")
                        .seen(s -> assertEquals(-1, s.contentLength())),
                ok("asterisk-form with OPTIONS", head("OPTIONS * HTTP/1.1", "Host: example.com"))
                        .onFallback()
                        .seen(s -> {
                            assertEquals("OPTIONS", s.method());
                            assertEquals("*", s.target());
                            assertEquals(TargetForm.ASTERISK, s.form());
                            assertEquals("", s.path());
                        }),
                ok("CONNECT in authority-form reaches the handler", head("CONNECT example.com:443 HTTP/1.1",
                        "Host: example.com:443"))
                        .onFallback()
                        .status(501)
                        .seen(s -> {
                            assertEquals("CONNECT", s.method());
                            assertEquals("example.com:443", s.target());
                            assertEquals(TargetForm.AUTHORITY, s.form());
                        }),
                ok("an extension method reaches the fallback", head("PURGE /cache/x HTTP/1.1", "Host: h"))
                        .onFallback()
                        .seen(s -> assertEquals("PURGE", s.method())));
    }

    static List<Row> routerAnswers() {
        Consumer<RawResponse> allowGetHead = r -> assertEquals(Set.of("GET", "HEAD"), allow(r));
        return List.of(
                routed("unknown path: 404", get("/nowhere", "Host: h"), 404),
                routed("unknown deeper path: 404", get("/users/1/posts", "Host: h"), 404),
                routed("empty path parameter does not match: 404", get("/users/", "Host: h"), 404),
                routed("lower-case get is another method: 405", head("get / HTTP/1.1", "Host: h"), 405)
                        .response(allowGetHead),
                routed("extension method on a GET route: 405", head("BREW / HTTP/1.1", "Host: h"), 405)
                        .response(allowGetHead),
                routed("POST to a GET route: 405 with Allow", post("hi", "Content-Length: 2")
                        .replace("POST /echo", "POST /users/3"), 405)
                        .response(allowGetHead),
                routed("GET to a POST route: 405, Allow without HEAD", get("/echo", "Host: h"), 405)
                        .response(r -> assertEquals(Set.of("POST"), allow(r))),
                routed("HEAD to a POST route: 405", head("HEAD /echo HTTP/1.1", "Host: h"), 405)
                        .headRequest()
                        .response(r -> assertEquals(Set.of("POST"), allow(r))),
                routed("unknown path with a body: 404, the body drained",
                        head("POST /nowhere HTTP/1.1", "Host: h", "Content-Length: 5") + "hello", 404),
                routed("unknown path with a chunked body: 404, the body drained",
                        head("PUT /nowhere HTTP/1.1", "Host: h", "Transfer-Encoding: chunked")
                                + "5\r\nhello\r\n0\r\n\r\n", 404),
                routed("405 to a request waiting for 100-continue: no 100, and close",
                        head("PUT / HTTP/1.1", "Host: h", "Content-Length: 5", "Expect: 100-continue"), 405)
                        .closes()
                        .response(allowGetHead));
    }

    static List<Row> requestLine() {
        return List.of(
                refused("two spaces after the method", head("GET  / HTTP/1.1", "Host: h"), 400),
                refused("space after the version", head("GET / HTTP/1.1 ", "Host: h"), 400),
                refused("HTAB as the separator", head("GET\t/\tHTTP/1.1", "Host: h"), 400),
                refused("leading space", head(" GET / HTTP/1.1", "Host: h"), 400),
                refused("HTTP/0.9 simple request without a version", "GET /\r\n\r\n", 400),
                refused("method with a non-token character", head("G(T / HTTP/1.1", "Host: h"), 400),
                refused("non-ASCII byte in the target", head("GET /caf\u00e9 HTTP/1.1", "Host: h"), 400),
                refused("control character in the target", head("GET /a\u0001b HTTP/1.1", "Host: h"), 400),
                refused("target in no form (relative path)", head("GET users HTTP/1.1", "Host: h"), 400),
                refused("asterisk-form with GET", head("GET * HTTP/1.1", "Host: h"), 400),
                refused("authority-form without CONNECT", head("GET example.com:443 HTTP/1.1", "Host: h"), 400),
                refused("CONNECT with an origin-form target", head("CONNECT /x HTTP/1.1", "Host: h"), 400),
                refused("CONNECT without a port", head("CONNECT example.com HTTP/1.1", "Host: example.com"), 400),
                refused("HTTP/2.0", head("GET / HTTP/2.0", "Host: h"), 505),
                ok("HTTP/1.2, served as HTTP/1.1 (RFC 9110 sections 2.5 and 6.2, SHOULD)", head("GET / HTTP/1.2", "Host: h")),
                refused("HTTP/0.9 as a version", head("GET / HTTP/0.9", "Host: h"), 505),
                refused("lower-case protocol name", head("GET / http/1.1", "Host: h"), 400),
                refused("two-digit minor version", head("GET / HTTP/1.10", "Host: h"), 400),
                refused("version without a minor", head("GET / HTTP/1", "Host: h"), 400),
                refused("garbage version", head("GET / FOO/1.1", "Host: h"), 400),
                refused("request line ending in a bare LF", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400),
                refused("HEAD refused before routing: the refusal has no body",
                        head("HEAD / HTTP/1.1", "Host: h", "Content-Length: 1", "Transfer-Encoding: chunked"), 400)
                        .headRequest(),
                refused("two empty lines before the request line", "\r\n\r\n" + get("/", "Host: h"), 400));
    }

    static List<Row> headerFields() {
        return List.of(
                refused("obs-fold (continuation line)", get("/", "Host: h", "X-A: one", " two"), 400),
                refused("obs-fold with HTAB", get("/", "Host: h", "X-A: one", "\ttwo"), 400),
                refused("whitespace before the colon", get("/", "Host: h", "X-A : v"), 400),
                refused("HTAB before the colon", get("/", "Host: h", "X-A\t: v"), 400),
                refused("field line without a colon", get("/", "Host: h", "NoColonHere"), 400),
                refused("empty field name", get("/", "Host: h", ": v"), 400),
                refused("non-token field name", get("/", "Host: h", "X@Y: v"), 400),
                refused("non-ASCII byte in a field name", get("/", "Host: h", "X-\u00e9: v"), 400),
                refused("field line ending in a bare LF", "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", 400),
                refused("header section ending in a bare LF", "GET / HTTP/1.1\r\nHost: h\r\n\n", 400),
                refused("bare CR inside a field value", get("/", "Host: h", "X-A: a\rb"), 400),
                refused("NUL in a field value", get("/", "Host: h", "X-A: a\u0000b"), 400),
                refused("DEL in a field value", get("/", "Host: h", "X-A: a\u007fb"), 400),
                refused("vertical tab in a field value", get("/", "Host: h", "X-A: a\u000bb"), 400),
                refused("ESC in a field value", get("/", "Host: h", "X-A: \u001b[31m"), 400),
                refused("Expect other than 100-continue", post("hi", "Content-Length: 2", "Expect: something-else"),
                        417));
    }

    static List<Row> host() {
        return List.of(
                refused("missing Host in HTTP/1.1", get("/"), 400),
                refused("two Host fields", get("/", "Host: a.example", "Host: b.example"), 400),
                refused("two identical Host fields", get("/", "Host: a.example", "Host: a.example"), 400),
                refused("two Host fields in HTTP/1.0", head("GET / HTTP/1.0", "Host: a", "Host: b"), 400),
                refused("Host with a space", get("/", "Host: a b"), 400),
                refused("Host with a slash", get("/", "Host: a.example/evil"), 400),
                refused("Host with userinfo", get("/", "Host: user@a.example"), 400),
                refused("Host that looks like a list", get("/", "Host: a.example, b.example"), 400));
    }

    static List<Row> bodyFraming() {
        return List.of(
                refused("Content-Length and Transfer-Encoding together (CL.TE)",
                        post("0\r\n\r\nGET /users/1 HTTP/1.1\r\nHost: h\r\n\r\n",
                                "Content-Length: 5", "Transfer-Encoding: chunked"), 400),
                refused("Transfer-Encoding and Content-Length together (TE.CL)",
                        post("5\r\nhello\r\n0\r\n\r\n", "Transfer-Encoding: chunked", "Content-Length: 3"), 400),
                refused("differing Content-Length fields", post("hello", "Content-Length: 5", "Content-Length: 6"),
                        400),
                refused("differing values in one Content-Length", post("hello", "Content-Length: 5, 6"), 400),
                refused("Content-Length with a plus sign", post("hello", "Content-Length: +5"), 400),
                refused("negative Content-Length", post("hello", "Content-Length: -5"), 400),
                refused("Content-Length with a space inside", post("hello", "Content-Length: 0 5"), 400),
                refused("hexadecimal Content-Length", post("hello", "Content-Length: 0x5"), 400),
                refused("Content-Length in exponent notation", post("hello", "Content-Length: 5e0"), 400),
                refused("empty Content-Length", post("hello", "Content-Length:"), 400),
                refused("empty element in Content-Length", post("hello", "Content-Length: 5,"), 400),
                refused("Content-Length of 19 digits (overflow): too large, not malformed",
                        post("hello", "Content-Length: 9223372036854775808"), 413),
                ok("Content-Length with 20 leading zeros (1*DIGIT)", post("hello", "Content-Length: 000000000000000000005")),
                refused("Transfer-Encoding: chunked, chunked", post("0\r\n\r\n", "Transfer-Encoding: chunked, chunked"),
                        400),
                refused("chunked in two Transfer-Encoding fields",
                        post("0\r\n\r\n", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"), 400),
                refused("final coding not chunked", post("0\r\n\r\n", "Transfer-Encoding: chunked, gzip"), 400),
                refused("gzip alone", post("hello", "Transfer-Encoding: gzip"), 400),
                refused("identity is no longer a coding", post("hello", "Transfer-Encoding: identity"), 400),
                refused("xchunked is not chunked", post("0\r\n\r\n", "Transfer-Encoding: xchunked"), 400),
                refused("parameters on chunked", post("0\r\n\r\n", "Transfer-Encoding: chunked;q=1"), 400),
                refused("empty Transfer-Encoding", post("0\r\n\r\n", "Transfer-Encoding:"), 400),
                refused("unknown coding before chunked", post("0\r\n\r\n", "Transfer-Encoding: foo, chunked"), 501),
                refused("gzip before chunked is not decoded here", post("0\r\n\r\n", "Transfer-Encoding: gzip, chunked"),
                        501),
                refused("Transfer-Encoding in HTTP/1.0",
                        head("POST /echo HTTP/1.0", "Transfer-Encoding: chunked") + "0\r\n\r\n", 400),
                refused("whitespace before the colon of Transfer-Encoding",
                        post("0\r\n\r\n", "Transfer-Encoding : chunked"), 400),
                refused("vertical tab before chunked", post("0\r\n\r\n", "Transfer-Encoding: \u000bchunked"), 400),
                refused("Content-Length body cut short by the client", post("hel", "Content-Length: 5"), 400)
                        .halfClose());
    }

    static List<Row> chunkedBodies() {
        return List.of(
                refused("chunk size with 0x prefix", chunked("0x5\r\nhello\r\n0\r\n\r\n"), 400),
                refused("chunk size of 16 hex digits (overflow)", chunked("1000000000000000a\r\nhello\r\n0\r\n\r\n"),
                        400),
                refused("negative chunk size", chunked("-5\r\nhello\r\n0\r\n\r\n"), 400),
                refused("missing chunk size", chunked("\r\nhello\r\n0\r\n\r\n"), 400),
                refused("chunk size with a space inside", chunked("5 5\r\nhello\r\n0\r\n\r\n"), 400),
                refused("chunk data not followed by CRLF", chunked("5\r\nhelloXX\r\n0\r\n\r\n"), 400),
                refused("chunk data followed by a bare LF", chunked("5\r\nhello\n0\r\n\r\n"), 400),
                refused("chunk size line ending in a bare LF", chunked("5\nhello\r\n0\r\n\r\n"), 400),
                refused("chunk extension without a name", chunked("5;\r\nhello\r\n0\r\n\r\n"), 400),
                refused("chunk extension with only a value", chunked("5;=v\r\nhello\r\n0\r\n\r\n"), 400),
                refused("chunk extension with an unterminated quoted value",
                        chunked("5;a=\"open\r\nhello\r\n0\r\n\r\n"), 400),
                refused("chunk extension with a control character", chunked("5;a=\u0001\r\nhello\r\n0\r\n\r\n"), 400),
                refused("chunk size line over maxChunkExtensionSize",
                        chunked("5;" + repeat('a', MAX_CHUNK_LINE) + "\r\nhello\r\n0\r\n\r\n"), 400),
                refused("trailer section over maxTrailerSize",
                        chunked("5\r\nhello\r\n0\r\nX-Big: " + repeat('t', MAX_TRAILER) + "\r\n\r\n"), 431),
                refused("obs-fold in the trailer section", chunked("5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n"), 400),
                refused("chunked body cut short by the client", chunked("5\r\nhel"), 400).halfClose(),
                refused("chunked body without its last chunk", chunked("5\r\nhello\r\n"), 400).halfClose());
    }

    static List<Row> limits() {
        String line = "GET /users/" + repeat('x', MAX_LINE - 20) + " HTTP/1.1";
        String fill = "X-Fill: " + repeat('f', MAX_HEADER_SIZE - 19);
        List<String> fields = new ArrayList<>(List.of("Host: h"));
        for (int i = 1; i < MAX_HEADER_COUNT; i++) {
            fields.add("X-" + i + ": " + i);
        }
        String body = repeat('b', MAX_BODY);
        return List.of(
                ok("request line of exactly maxRequestLineLength", head(line, "Host: h"))
                        .seen(s -> assertEquals(MAX_LINE - 20, s.pathParams().get("id").length())),
                refused("request line one over maxRequestLineLength: 414",
                        head(line.replace("/users/", "/users/y"), "Host: h"), 414),
                refused("request line far over the limit, no CRLF yet: 414",
                        "GET /" + repeat('z', 4 * MAX_LINE), 414),
                ok("header section of exactly maxHeaderSize", get("/", "Host: h", fill))
                        .seen(s -> assertEquals(MAX_HEADER_SIZE - 19, s.header("X-Fill").length())),
                refused("header section one byte over maxHeaderSize: 431", get("/", "Host: h", fill + "f"), 431),
                refused("one field far over maxHeaderSize: 431", get("/", "Host: h", "X: " + repeat('v', 4096)), 431),
                ok("exactly maxHeaderCount fields", get("/", fields.toArray(String[]::new)))
                        .seen(s -> assertEquals(MAX_HEADER_COUNT, s.headers().size())),
                refused("one field over maxHeaderCount: 431",
                        get("/", Stream.concat(fields.stream(), Stream.of("X-Last: 1")).toArray(String[]::new)), 431),
                ok("Content-Length body of exactly maxBodySize", post(body, "Content-Length: " + MAX_BODY))
                        .seen(s -> assertEquals(body, s.body())),
                refused("Content-Length over maxBodySize: 413 before the body is sent",
                        post("", "Content-Length: " + (MAX_BODY + 1)), 413),
                refused("Content-Length of 18 digits: 413", post("", "Content-Length: 999999999999999999"), 413),
                refused("100-continue with a Content-Length over maxBodySize: 413, no 100",
                        post("", "Content-Length: " + (MAX_BODY + 1), "Expect: 100-continue"), 413),
                ok("chunked body of exactly maxBodySize", chunked(Integer.toHexString(MAX_BODY) + "\r\n" + body
                        + "\r\n0\r\n\r\n")).seen(s -> assertEquals(body, s.body())),
                refused("one chunk over maxBodySize: 413 before its data",
                        chunked(Integer.toHexString(MAX_BODY + 1) + "\r\n"), 413),
                refused("small chunks adding up to over maxBodySize: 413",
                        chunked(("100\r\n" + repeat('c', 256) + "\r\n").repeat(5) + "0\r\n\r\n"), 413),
                refused("chunk size of 15 hex digits: 413", chunked("fffffffffffffff\r\n"), 413));
    }

    @Test
    void theTableIsLargeAndNamesAreUnique() {
        List<Row> rows = rows();
        assertTrue(rows.size() >= 60, "rows: " + rows.size());
        Set<String> names = new HashSet<>();
        for (Row r : rows) {
            assertTrue(names.add(r.name), "duplicate row name: " + r.name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void row(String name, Row row) throws IOException {
        SEEN.set(null);
        HttpServer server = (row.fallback ? FALLBACK : ROUTED).server();
        try (RawHttpClient client = RawHttpClient.connect(server)) {
            client.send(row.raw);
            if (row.halfClose) {
                client.shutdownOutput();
            }
            RawResponse r = client.readResponse(row.headRequest);
            assertEquals(row.status, r.status, () -> "response:\n" + r);
            assertTrue(r.has("Date"), "every response has a Date");

            ServerSeenRequest seen = SEEN.get();
            if (row.handlerRuns) {
                assertNotNull(seen, "the handler did not see the request");
                if (row.seenCheck != null) {
                    row.seenCheck.accept(seen);
                }
            } else {
                assertNull(seen, () -> "no handler may see this request, but one saw " + seen);
                String type = r.header("Content-Type");
                assertTrue(type != null && type.startsWith("text/plain"), () -> "refusal:\n" + r);
                if (!row.headRequest) {
                    assertTrue(r.body.length > 0 && r.bodyText().endsWith("\n"), () -> "refusal:\n" + r);
                }
            }
            if (row.responseCheck != null) {
                row.responseCheck.accept(r);
            }

            if (row.closes) {
                assertTrue(r.hasToken("Connection", "close"), () -> "a closing response says so:\n" + r);
                assertTrue(client.awaitClose());
            } else {
                assertFalse(r.hasToken("Connection", "close"), () -> "the connection should stay open:\n" + r);
                if (!row.halfClose) {
                    SEEN.set(null);
                    RawResponse next = client.send(FOLLOW_UP).readResponse();
                    assertEquals(200, next.status, () -> "follow-up:\n" + next);
                    assertEquals("follow-up", SEEN.get().header("Host"), "the follow-up request arrived intact");
                }
            }
        }
    }

    private static Set<String> allow(RawResponse r) {
        String allow = r.header("Allow");
        assertNotNull(allow, () -> "a 405 lists the allowed methods:\n" + r);
        Set<String> methods = new HashSet<>();
        for (String m : allow.split(",")) {
            methods.add(m.strip());
        }
        assertEquals(allow.split(",").length, methods.size(), "no method listed twice: " + allow);
        return methods;
    }
}
