package dev.weft.http;

import static dev.weft.http.RequestHead.TargetForm.ABSOLUTE;
import static dev.weft.http.RequestHead.TargetForm.ASTERISK;
import static dev.weft.http.RequestHead.TargetForm.AUTHORITY;
import static dev.weft.http.RequestHead.TargetForm.ORIGIN;
import static dev.weft.http.TableCase.bad;
import static dev.weft.http.TableCase.head;
import static dev.weft.http.TableCase.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request line and header section (RFC 9112 sections 2.2, 3 and 5; RFC 9110 section 5), one
 * raw request per row, each parsed under every {@link Delivery}. Body framing rows are in
 * {@link BodyFramingTableTest}.
 */
class RequestHeadTableTest {

    static List<TableCase> cases() {
        return List.of(
                // Request line: the four target forms (RFC 9112 section 3.2).
                ok("GET in origin-form", head("GET /index.html HTTP/1.1", "Host: example.com"),
                        "GET /index.html HTTP/1.1", ORIGIN).header("Host", "example.com"),
                ok("origin-form with a query", head("GET /search?q=weft&page=2 HTTP/1.1", "Host: example.com"),
                        "GET /search?q=weft&page=2 HTTP/1.1", ORIGIN),
                ok("target with percent-encoding and sub-delims",
                        head("GET /a%20b;p=1,2/!$&'()*+=:@?x=/? HTTP/1.1", "Host: h"),
                        "GET /a%20b;p=1,2/!$&'()*+=:@?x=/? HTTP/1.1", ORIGIN),
                ok("absolute-form", head("GET http://example.com:8080/a?b=c HTTP/1.1", "Host: example.com:8080"),
                        "GET http://example.com:8080/a?b=c HTTP/1.1", ABSOLUTE).header("Host", "example.com:8080"),
                ok("CONNECT in authority-form", head("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443"),
                        "CONNECT example.com:443 HTTP/1.1", AUTHORITY),
                ok("CONNECT to an IPv6 literal", head("CONNECT [2001:db8::1]:8443 HTTP/1.1",
                        "Host: [2001:db8::1]:8443"),
                        "CONNECT [2001:db8::1]:8443 HTTP/1.1", AUTHORITY).header("Host", "[2001:db8::1]:8443"),
                ok("OPTIONS *", head("OPTIONS * HTTP/1.1", "Host: example.com"), "OPTIONS * HTTP/1.1", ASTERISK),
                ok("OPTIONS in origin-form", head("OPTIONS /api HTTP/1.1", "Host: h"), "OPTIONS /api HTTP/1.1", ORIGIN),
                ok("extension method", head("PURGE /cache/item HTTP/1.1", "Host: h"),
                        "PURGE /cache/item HTTP/1.1", ORIGIN),
                ok("method case is kept: get is another token", head("get / HTTP/1.1", "Host: h"),
                        "get / HTTP/1.1", ORIGIN),
                ok("one empty line before the request line is skipped", "\r\n" + head("GET / HTTP/1.1", "Host: h"),
                        "GET / HTTP/1.1", ORIGIN),

                // Host (RFC 9112 section 3.2).
                ok("HTTP/1.0 without Host", head("GET / HTTP/1.0"), "GET / HTTP/1.0", ORIGIN).header("Host"),
                ok("HTTP/1.0 with Host", head("GET / HTTP/1.0", "Host: example.com"), "GET / HTTP/1.0", ORIGIN)
                        .header("Host", "example.com"),
                ok("empty Host on HTTP/1.1", head("GET / HTTP/1.1", "Host:"),
                        "GET / HTTP/1.1", ORIGIN).header("Host", ""),
                ok("Host with every reg-name and port character",
                        head("GET / HTTP/1.1", "Host: a-z.0_9~!$&'()*+;=%41:8080"), "GET / HTTP/1.1", ORIGIN)
                        .header("Host", "a-z.0_9~!$&'()*+;=%41:8080"),
                ok("Host without a space after the colon", head("GET / HTTP/1.1", "Host:example.com"),
                        "GET / HTTP/1.1", ORIGIN).header("Host", "example.com"),

                // Field lines (RFC 9110 section 5; RFC 9112 section 5).
                ok("field names are case-insensitive", head("GET / HTTP/1.1", "hOST: example.com"),
                        "GET / HTTP/1.1", ORIGIN).header("host", "example.com"),
                ok("OWS around a value is trimmed, inner whitespace kept",
                        head("GET / HTTP/1.1", "Host: h", "X-Note: \t two  words \t"), "GET / HTTP/1.1", ORIGIN)
                        .header("X-Note", "two  words"),
                ok("empty field value", head("GET / HTTP/1.1", "Host: h", "X-Empty:"), "GET / HTTP/1.1", ORIGIN)
                        .header("X-Empty", ""),
                ok("obs-text in a value", head("GET / HTTP/1.1", "Host: h", "X-Name: caf\u00e9"),
                        "GET / HTTP/1.1", ORIGIN)
                        .header("X-Name", "caf\u00e9"),
                ok("colons inside a value", head("GET / HTTP/1.1", "Host: h", "X-Time: 12:30:00"),
                        "GET / HTTP/1.1", ORIGIN)
                        .header("X-Time", "12:30:00"),
                ok("repeated fields are kept in order", head("GET / HTTP/1.1", "Accept: text/html", "Host: h",
                        "accept: */*"), "GET / HTTP/1.1", ORIGIN).header("Accept", "text/html", "*/*"),
                ok("every tchar in a field name", head("GET / HTTP/1.1", "Host: h", "X-!#$%&'*+.^_`|~09: v"),
                        "GET / HTTP/1.1", ORIGIN).header("X-!#$%&'*+.^_`|~09", "v"),

                // Request line, refused.
                bad("bare LF ends the request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400).because("bare LF"),
                bad("bare LF ends a field line", "GET / HTTP/1.1\r\nHost: h\n\r\n", 400).because("bare LF"),
                bad("bare LF ends the header section", "GET / HTTP/1.1\r\nHost: h\r\n\n", 400).because("bare LF"),
                bad("bare CR ends the request line", "GET / HTTP/1.1\rHost: h\r\n\r\n", 400).because("bare CR"),
                bad("bare CR inside the target", head("GET /a\rb HTTP/1.1", "Host: h"), 400).because("bare CR"),
                bad("two spaces after the method", head("GET  / HTTP/1.1", "Host: h"), 400),
                bad("two spaces before the version", head("GET /  HTTP/1.1", "Host: h"), 400),
                bad("space after the version", head("GET / HTTP/1.1 ", "Host: h"), 400),
                bad("space before the method", head(" GET / HTTP/1.1", "Host: h"), 400),
                bad("tabs as separators", head("GET\t/\tHTTP/1.1", "Host: h"), 400),
                bad("no version, HTTP/0.9 style", head("GET /"), 400),
                bad("lowercase http/1.1", head("GET / http/1.1", "Host: h"), 400).because("malformed HTTP version"),
                ok("HTTP/1.2 is read as HTTP/1.1 (RFC 9110 section 6.2: the highest minor version we conform to)",
                        head("GET / HTTP/1.2", "Host: h"), "GET / HTTP/1.1", ORIGIN),
                ok("HTTP/1.9 is read as HTTP/1.1", head("GET / HTTP/1.9", "Host: h"), "GET / HTTP/1.1", ORIGIN),
                bad("HTTP/1.2 needs Host as HTTP/1.1 does", head("GET / HTTP/1.2"), 400),
                bad("HTTP/3.0 is well-formed but not supported", head("GET / HTTP/3.0", "Host: h"), 505),
                bad("HTTP/2.0 is well-formed but not supported", head("GET / HTTP/2.0", "Host: h"), 505),
                bad("HTTP/1 without a minor version", head("GET / HTTP/1", "Host: h"), 400)
                        .because("malformed HTTP version"),
                bad("HTTP/1.10 with a two-digit minor version", head("GET / HTTP/1.10", "Host: h"), 400),
                bad("non-token character in the method", head("GE(T / HTTP/1.1", "Host: h"), 400),
                bad("non-ASCII byte in the target", head("GET /caf\u00e9 HTTP/1.1", "Host: h"), 400),
                bad("NUL in the target", head("GET /a\0b HTTP/1.1", "Host: h"), 400),
                bad("CONNECT with an origin-form target", head("CONNECT / HTTP/1.1", "Host: h"), 400),
                bad("CONNECT without a port", head("CONNECT example.com HTTP/1.1", "Host: example.com"), 400),
                bad("CONNECT to a port over 65535", head("CONNECT example.com:65536 HTTP/1.1", "Host: h"), 400),
                bad("CONNECT with userinfo", head("CONNECT user@example.com:443 HTTP/1.1", "Host: h"), 400),
                bad("GET *", head("GET * HTTP/1.1", "Host: h"), 400),
                bad("authority-form on GET", head("GET example.com:80 HTTP/1.1", "Host: example.com"), 400),
                bad("relative target", head("GET index.html HTTP/1.1", "Host: h"), 400),
                bad("two empty lines before the request line", "\r\n\r\n" + head("GET / HTTP/1.1", "Host: h"), 400),

                // Field lines, refused.
                bad("space before the colon", head("GET / HTTP/1.1", "Host : h"), 400)
                        .because("whitespace before the colon"),
                bad("tab before the colon", head("GET / HTTP/1.1", "Host\t: h"), 400)
                        .because("whitespace before the colon"),
                bad("obs-fold continuation line", head("GET / HTTP/1.1", "Host: h", "X-A: a", " b"), 400)
                        .because("folding"),
                bad("obs-fold with a tab", head("GET / HTTP/1.1", "Host: h", "X-A: a", "\tb"), 400).because("folding"),
                bad("first field line starts with whitespace", head("GET / HTTP/1.1", " Host: h"), 400)
                        .because("folding"),
                bad("non-token character in a field name", head("GET / HTTP/1.1", "Host: h", "X(A): b"), 400),
                bad("space inside a field name", head("GET / HTTP/1.1", "Host: h", "X A: b"), 400),
                bad("non-ASCII byte in a field name", head("GET / HTTP/1.1", "Host: h", "X-Caf\u00e9: b"), 400),
                bad("empty field name", head("GET / HTTP/1.1", "Host: h", ": value"), 400),
                bad("field line without a colon", head("GET / HTTP/1.1", "Host: h", "X-No-Colon"), 400),
                bad("NUL in a value", head("GET / HTTP/1.1", "Host: h", "X-A: a\0b"), 400).because("control character"),
                bad("bare CR in a value", head("GET / HTTP/1.1", "Host: h", "X-A: a\rb"), 400).because("bare CR"),
                bad("bare CR at the end of a value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\r\n\r\n", 400)
                        .because("bare CR"),
                bad("vertical tab in a value", head("GET / HTTP/1.1", "Host: h", "X-A: a\u000bb"), 400),
                bad("DEL in a value", head("GET / HTTP/1.1", "Host: h", "X-A: a\u007fb"), 400),

                // Host, refused (RFC 9112 section 3.2: 400 for any request with a bad or repeated Host).
                bad("missing Host on HTTP/1.1", head("GET / HTTP/1.1", "Accept: */*"), 400).because("missing Host"),
                bad("two different Host fields", head("GET / HTTP/1.1", "Host: a.example", "Host: b.example"), 400),
                bad("two identical Host fields", head("GET / HTTP/1.1", "Host: a.example", "host: a.example"), 400)
                        .because("more than one Host"),
                bad("Host with a space", head("GET / HTTP/1.1", "Host: exa mple.com"), 400),
                bad("Host with userinfo", head("GET / HTTP/1.1", "Host: user@example.com"), 400),
                bad("Host as a list", head("GET / HTTP/1.1", "Host: a.example, b.example"), 400),
                bad("Host with a query", head("GET / HTTP/1.1", "Host: a.example?x"), 400),
                bad("Host with a fragment", head("GET / HTTP/1.1", "Host: a.example#.b.example"), 400),
                bad("Host with a backslash", head("GET / HTTP/1.1", "Host: a.example\\b.example"), 400),
                bad("Host with markup", head("GET / HTTP/1.1", "Host: <script>"), 400),
                bad("two Host fields on HTTP/1.0", head("GET / HTTP/1.0", "Host: a.example", "Host: b.example"), 400)
                        .because("more than one Host"),
                bad("Host with a space on HTTP/1.0", head("GET / HTTP/1.0", "Host: exa mple.com"), 400));
    }

    static Stream<Arguments> casesUnderEveryDelivery() {
        return cases().stream().flatMap(c -> Arrays.stream(Delivery.values()).map(d -> Arguments.of(c, d)));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("casesUnderEveryDelivery")
    void parsesOrRefusesAsTheRfcSays(TableCase c, Delivery delivery) throws IOException {
        c.verify(RequestFixture.parseAll(c.bytes(), HttpLimits.DEFAULTS, delivery));
    }

    @Test
    void everyCaseHasItsOwnName() {
        assertEquals(cases().size(), cases().stream().map(TableCase::name).distinct().count());
    }
}
