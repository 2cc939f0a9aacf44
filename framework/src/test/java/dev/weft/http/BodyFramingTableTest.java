package dev.weft.http;

import static dev.weft.http.RequestHead.TargetForm.ORIGIN;
import static dev.weft.http.TableCase.bad;
import static dev.weft.http.TableCase.head;
import static dev.weft.http.TableCase.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Message framing (RFC 9112 sections 6 and 7): Content-Length, Transfer-Encoding, chunked bodies
 * and trailers, with every request-smuggling shape we know of. One raw request per row, each parsed
 * under every {@link Delivery}; every refusal must close the connection.
 */
class BodyFramingTableTest {

    private static final String POST = "POST /upload HTTP/1.1";
    private static final String CHUNKED = head(POST, "Host: h", "Transfer-Encoding: chunked");

    static List<TableCase> cases() {
        return List.of(
                // Content-Length (RFC 9112 section 6.2, RFC 9110 section 8.6).
                ok("Content-Length body", head(POST, "Host: h", "Content-Length: 11") + "hello world", POST, ORIGIN)
                        .header("Content-Length", "11").body("hello world"),
                ok("Content-Length: 0", head(POST, "Host: h", "Content-Length: 0"), POST, ORIGIN).body(""),
                ok("two identical Content-Length fields", head(POST, "Host: h", "Content-Length: 5",
                        "content-length: 5") + "hello", POST, ORIGIN).body("hello"),
                ok("identical values in one Content-Length list", head(POST, "Host: h", "Content-Length: 5, 5")
                        + "hello", POST, ORIGIN).body("hello"),
                ok("Content-Length with leading zeros", head(POST, "Host: h", "Content-Length: 005") + "hello",
                        POST, ORIGIN).body("hello"),
                ok("Content-Length with more leading zeros than a long has digits (1*DIGIT, RFC 9110 section 8.6)",
                        head(POST, "Host: h", "Content-Length: 0000000000000000000000005") + "hello", POST, ORIGIN)
                        .body("hello"),
                ok("body bytes are not interpreted", head(POST, "Host: h", "Content-Length: 6") + "\0\r\n\u00ff\n\r",
                        POST, ORIGIN).body("\0\r\n\u00ff\n\r"),
                ok("body that looks like a request",
                        head(POST, "Host: h", "Content-Length: 18") + "GET / HTTP/1.1\r\n\r\n",
                        POST, ORIGIN).body("GET / HTTP/1.1\r\n\r\n"),
                ok("HTTP/1.0 body with Content-Length", head("POST /old HTTP/1.0", "Content-Length: 4") + "abcd",
                        "POST /old HTTP/1.0", ORIGIN).body("abcd"),

                // Chunked (RFC 9112 section 7.1).
                ok("one chunk", CHUNKED + "5\r\nhello\r\n0\r\n\r\n", POST, ORIGIN)
                        .header("Transfer-Encoding", "chunked").body("hello"),
                ok("empty chunked body", CHUNKED + "0\r\n\r\n", POST, ORIGIN).body(""),
                ok("chunk sizes in either hex case", CHUNKED + "a\r\n0123456789\r\nA\r\n9876543210\r\n0\r\n\r\n",
                        POST, ORIGIN).body("01234567899876543210"),
                ok("chunk sizes with leading zeros", CHUNKED + "0005\r\nhello\r\n000\r\n\r\n",
                        POST, ORIGIN).body("hello"),
                ok("chunk data containing CRLF", CHUNKED + "6\r\nab\r\ncd\r\n0\r\n\r\n", POST, ORIGIN).body("ab\r\ncd"),
                ok("chunk extensions: token and quoted values, BWS", CHUNKED
                        + "5;name=value\r\nhello\r\n6 ; a ; b = \"q\\\"x;y\"\r\n world\r\n0;last\r\n\r\n",
                        POST, ORIGIN).body("hello world"),
                ok("trailer fields", CHUNKED + "5\r\nhello\r\n0\r\nChecksum: abc\r\nX-Trace: 1\r\nx-trace: 2\r\n\r\n",
                        POST, ORIGIN).body("hello").trailer("checksum", "abc").trailer("X-Trace", "1", "2"),
                ok("Transfer-Encoding is case-insensitive", head(POST, "Host: h", "Transfer-Encoding: Chunked")
                        + "3\r\nabc\r\n0\r\n\r\n", POST, ORIGIN).body("abc"),

                // Content-Length and Transfer-Encoding together (RFC 9112 section 6.3).
                bad("Content-Length then Transfer-Encoding", head(POST, "Host: h", "Content-Length: 5",
                        "Transfer-Encoding: chunked") + "5\r\nhello\r\n0\r\n\r\n", 400)
                                .because("both Transfer-Encoding and Content-Length"),
                bad("Transfer-Encoding then Content-Length", head(POST, "Host: h", "Transfer-Encoding: chunked",
                        "Content-Length: 5") + "5\r\nhello\r\n0\r\n\r\n", 400)
                                .because("both Transfer-Encoding and Content-Length"),
                bad("Transfer-Encoding with Content-Length: 0", head(POST, "Host: h", "Transfer-Encoding: chunked",
                        "Content-Length: 0") + "0\r\n\r\n", 400).because("both Transfer-Encoding and Content-Length"),

                // Transfer-Encoding values.
                bad("chunked, then a second Transfer-Encoding: identity", head(POST, "Host: h",
                        "Transfer-Encoding: chunked", "Transfer-Encoding: identity") + "0\r\n\r\n", 400),
                bad("chunked, then a second Transfer-Encoding: gzip", head(POST, "Host: h",
                        "Transfer-Encoding: chunked", "Transfer-Encoding: gzip") + "0\r\n\r\n", 400),
                bad("chunked, gzip in one field", head(POST, "Host: h", "Transfer-Encoding: chunked, gzip")
                        + "0\r\n\r\n", 400),
                bad("xchunked", head(POST, "Host: h", "Transfer-Encoding: xchunked") + "0\r\n\r\n", 400)
                        .because("must end in chunked"),
                bad("chunked, chunked", head(POST, "Host: h", "Transfer-Encoding: chunked, chunked") + "0\r\n\r\n", 400)
                        .because("more than once"),
                bad("chunked in two fields", head(POST, "Host: h", "Transfer-Encoding: chunked",
                        "Transfer-Encoding: chunked") + "0\r\n\r\n", 400).because("more than once"),
                bad("identity alone", head(POST, "Host: h", "Transfer-Encoding: identity") + "0\r\n\r\n", 400),
                bad("gzip, chunked is not decoded here", head(POST, "Host: h", "Transfer-Encoding: gzip, chunked")
                        + "0\r\n\r\n", 501),
                bad("unknown coding before chunked", head(POST, "Host: h", "Transfer-Encoding: foo, chunked")
                        + "0\r\n\r\n", 501),
                bad("Transfer-Encoding on HTTP/1.0", head("POST /old HTTP/1.0", "Transfer-Encoding: chunked")
                        + "0\r\n\r\n", 400).because("HTTP/1.0"),
                bad("empty Transfer-Encoding", head(POST, "Host: h", "Transfer-Encoding:") + "0\r\n\r\n", 400),
                bad("trailing comma in Transfer-Encoding", head(POST, "Host: h", "Transfer-Encoding: chunked,")
                        + "0\r\n\r\n", 400),
                bad("quoted chunked", head(POST, "Host: h", "Transfer-Encoding: \"chunked\"") + "0\r\n\r\n", 400),
                bad("parameter on chunked", head(POST, "Host: h", "Transfer-Encoding: chunked;q=1") + "0\r\n\r\n", 400)
                        .because("parameters on chunked"),
                bad("malformed parameter on chunked", head(POST, "Host: h", "Transfer-Encoding: chunked;\"")
                        + "0\r\n\r\n", 400),
                bad("Transfer-Encoding folded onto the next line", head(POST, "Host: h", "Transfer-Encoding:",
                        " chunked") + "0\r\n\r\n", 400).because("folding"),
                bad("space before the colon in Transfer-Encoding", head(POST, "Host: h", "Transfer-Encoding : chunked")
                        + "0\r\n\r\n", 400).because("whitespace before the colon"),
                bad("vertical tab before chunked", head(POST, "Host: h", "Transfer-Encoding:\u000bchunked")
                        + "0\r\n\r\n", 400),

                // Content-Length values.
                bad("Content-Length +5", head(POST, "Host: h", "Content-Length: +5") + "hello", 400),
                bad("Content-Length -1", head(POST, "Host: h", "Content-Length: -1"), 400),
                bad("Content-Length with a space between digits", head(POST, "Host: h", "Content-Length:  5 5")
                        + "hello", 400),
                bad("differing values in one Content-Length list", head(POST, "Host: h", "Content-Length: 5, 6")
                        + "hello!", 400).because("conflicting Content-Length"),
                bad("two differing Content-Length fields", head(POST, "Host: h", "Content-Length: 5",
                        "Content-Length: 6") + "hello!", 400).because("conflicting Content-Length"),
                bad("hex Content-Length", head(POST, "Host: h", "Content-Length: 0x5") + "hello", 400),
                bad("decimal point in Content-Length", head(POST, "Host: h", "Content-Length: 5.0") + "hello", 400),
                bad("empty Content-Length", head(POST, "Host: h", "Content-Length:"), 400),
                bad("trailing comma in Content-Length", head(POST, "Host: h", "Content-Length: 5,") + "hello", 400),
                bad("Content-Length that overflows a long is too large, not malformed", head(POST, "Host: h",
                        "Content-Length: 1000000000000000000000"), 413),

                // Chunk sizes.
                bad("chunk size with 0x", CHUNKED + "0x5\r\nhello\r\n0\r\n\r\n", 400),
                bad("negative chunk size", CHUNKED + "-5\r\nhello\r\n0\r\n\r\n", 400),
                bad("chunk size 1000000000000000000 (overflow)",
                        CHUNKED + "1000000000000000000\r\nhello\r\n0\r\n\r\n", 400)
                        .because("too large"),
                bad("chunk size of 16 hex digits", CHUNKED + "ffffffffffffffff\r\nhello\r\n0\r\n\r\n", 400),
                bad("chunk size followed by junk", CHUNKED + "5x\r\nhello\r\n0\r\n\r\n", 400),
                bad("chunk size, space, junk", CHUNKED + "5 junk\r\nhello\r\n0\r\n\r\n", 400),
                bad("space inside a chunk size", CHUNKED + "1 0\r\n0123456789\r\n0\r\n\r\n", 400),
                bad("NUL after a chunk size", CHUNKED + "5\0\r\nhello\r\n0\r\n\r\n", 400),
                bad("empty chunk-size line", CHUNKED + "\r\nhello\r\n0\r\n\r\n", 400),

                // Chunk delimiters.
                bad("missing CRLF after chunk data", CHUNKED + "5\r\nhello0\r\n\r\n", 400)
                        .because("not followed by CRLF"),
                bad("chunk data longer than its size", CHUNKED + "3\r\nhello\r\n0\r\n\r\n", 400),
                bad("LF only after chunk data", CHUNKED + "5\r\nhello\n0\r\n\r\n", 400).because("not followed by CRLF"),
                bad("CR only after chunk data", CHUNKED + "5\r\nhello\r0\r\n\r\n", 400).because("not followed by CRLF"),
                bad("LF-only chunk-size line", CHUNKED + "5\nhello\r\n0\r\n\r\n", 400).because("bare LF"),
                bad("LF-only last-chunk line", CHUNKED + "5\r\nhello\r\n0\n\r\n", 400).because("bare LF"),
                bad("LF-only end of the trailer section", CHUNKED + "5\r\nhello\r\n0\r\n\n", 400).because("bare LF"),

                // Chunk extensions.
                bad("chunk extension without a name", CHUNKED + "5;\r\nhello\r\n0\r\n\r\n", 400),
                bad("chunk extension with only a value", CHUNKED + "5;=x\r\nhello\r\n0\r\n\r\n", 400),
                bad("chunk extension name with a space inside", CHUNKED + "5;a b\r\nhello\r\n0\r\n\r\n", 400),
                bad("unterminated quoted chunk extension", CHUNKED + "5;a=\"b\r\nhello\r\n0\r\n\r\n", 400),
                bad("chunk extension with = and no value", CHUNKED + "5;a=\r\nhello\r\n0\r\n\r\n", 400),
                bad("escaped NUL in a quoted chunk extension", CHUNKED + "5;a=\"\\\0\"\r\nhello\r\n0\r\n\r\n", 400),

                // Trailers.
                bad("trailer with obs-fold", CHUNKED + "0\r\nX-A: 1\r\n 2\r\n\r\n", 400).because("folding"),
                bad("trailer with a space before the colon", CHUNKED + "0\r\nX-A : 1\r\n\r\n", 400)
                        .because("whitespace before the colon"),
                bad("NUL in a trailer value", CHUNKED + "0\r\nX-A: 1\0\r\n\r\n", 400),
                bad("bare CR in a trailer value", CHUNKED + "0\r\nX-A: 1\r2\r\n\r\n", 400).because("bare CR"));
    }

    static Stream<Arguments> casesUnderEveryDelivery() {
        return cases().stream().flatMap(c -> Arrays.stream(Delivery.values()).map(d -> Arguments.of(c, d)));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("casesUnderEveryDelivery")
    void framesOrRefusesAsTheRfcSays(TableCase c, Delivery delivery) throws IOException {
        c.verify(RequestFixture.parseAll(c.bytes(), HttpLimits.DEFAULTS, delivery));
    }

    @Test
    void everyCaseHasItsOwnName() {
        assertEquals(cases().size(), cases().stream().map(TableCase::name).distinct().count());
    }

    @Test
    void theTwoTablesHoldAtLeastSixtyRequests() {
        int total = cases().size() + RequestHeadTableTest.cases().size();
        assertTrue(total >= 60, "table rows: " + total);
    }
}
