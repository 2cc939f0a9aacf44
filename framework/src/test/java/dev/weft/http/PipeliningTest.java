package dev.weft.http;

import static dev.weft.http.TableCase.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Several requests on one connection, at the parser level: each body is consumed exactly and the
 * next request starts intact; a clean end of stream between requests is not an error, an end in the
 * middle of one is a 400 that closes the connection.
 */
class PipeliningTest {

    private static final String GET = head("GET /one HTTP/1.1", "Host: h");
    private static final String FIXED = head("POST /two HTTP/1.1", "Host: h", "Content-Length: 5") + "hello";
    private static final String CHUNKED = head("POST /three HTTP/1.1", "Host: h", "Transfer-Encoding: chunked")
            + "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-Sum: 9\r\n\r\n";
    private static final String OLD = head("GET /four HTTP/1.0");

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void requestsInOneBufferParseInOrderEachBodyConsumedExactly(Delivery delivery) throws IOException {
        RequestFixture.Outcome outcome = RequestFixture.parseAll(GET + FIXED + CHUNKED + OLD + GET,
                HttpLimits.DEFAULTS, delivery);

        assertNull(outcome.error());
        List<ParsedRequest> requests = outcome.requests();
        assertEquals(List.of("/one", "/two", "/three", "/four", "/one"),
                requests.stream().map(r -> r.head().target()).toList());
        assertEquals(List.of("", "hello", "abcde", "", ""), requests.stream().map(ParsedRequest::bodyText).toList());
        assertEquals("9", requests.get(2).trailers().first("X-Sum"));
        assertEquals("HTTP/1.0", requests.get(3).head().version());
        assertEquals(0, requests.get(4).trailers().size());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aBodyThatLooksLikeARequestIsReadAsBody(Delivery delivery) throws IOException {
        String smuggled = head("GET /admin HTTP/1.1", "Host: h");
        String outer = head("POST /two HTTP/1.1", "Host: h", "Content-Length: " + smuggled.length()) + smuggled;

        RequestFixture.Outcome outcome = RequestFixture.parseAll(outer + GET, HttpLimits.DEFAULTS, delivery);

        assertNull(outcome.error());
        assertEquals(2, outcome.requests().size());
        assertEquals(smuggled, outcome.requests().get(0).bodyText());
        assertEquals("/one", outcome.requests().get(1).head().target());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void oneEmptyLineBetweenRequestsIsSkippedButTwoAreNot(Delivery delivery) throws IOException {
        RequestFixture.Outcome one = RequestFixture.parseAll(FIXED + "\r\n" + GET, HttpLimits.DEFAULTS, delivery);
        assertNull(one.error());
        assertEquals(2, one.requests().size());

        RequestFixture.Outcome two = RequestFixture.parseAll(FIXED + "\r\n\r\n" + GET, HttpLimits.DEFAULTS, delivery);
        assertEquals(1, two.requests().size());
        assertNotNull(two.error());
        assertEquals(400, two.error().status());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aCleanEndOfStreamBetweenRequestsReturnsNull(Delivery delivery) throws IOException {
        assertNull(RequestFixture.next(delivery.open(""), HttpLimits.DEFAULTS, delivery.bodyReadSize()));
        // A client may send a CRLF after a body (RFC 9112 section 2.2) and then close.
        assertNull(RequestFixture.next(delivery.open("\r\n"), HttpLimits.DEFAULTS, delivery.bodyReadSize()));

        HttpInput in = delivery.open(CHUNKED);
        assertEquals("/three", RequestFixture.next(in, HttpLimits.DEFAULTS, delivery.bodyReadSize()).head().target());
        assertNull(RequestFixture.next(in, HttpLimits.DEFAULTS, delivery.bodyReadSize()));
        assertNull(RequestFixture.next(in, HttpLimits.DEFAULTS, delivery.bodyReadSize()), "end of stream stays");
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aStreamThatEndsInsideTheSecondRequestIs400AfterTheFirst(Delivery delivery) throws IOException {
        for (String second : List.of(FIXED, CHUNKED)) {
            String raw = GET + second;
            for (int end = GET.length() + 1; end < raw.length(); end++) {
                String cut = raw.substring(0, end);
                RequestFixture.Outcome outcome = RequestFixture.parseAll(cut, HttpLimits.DEFAULTS, delivery);
                String where = "cut after " + end + " bytes: " + cut.substring(GET.length()).replace("\r\n", "\\r\\n");
                assertEquals(1, outcome.requests().size(), where);
                assertNotNull(outcome.error(), where);
                assertEquals(400, outcome.error().status(), where);
                assertTrue(outcome.error().closesConnection(), where);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aRefusedRequestEndsTheConnectionsRequests(Delivery delivery) throws IOException {
        String smuggling = head("POST /x HTTP/1.1", "Host: h", "Content-Length: 4", "Transfer-Encoding: chunked")
                + "0\r\n\r\n";

        RequestFixture.Outcome outcome = RequestFixture.parseAll(GET + smuggling + GET, HttpLimits.DEFAULTS, delivery);

        assertEquals(1, outcome.requests().size());
        assertEquals(400, outcome.error().status());
        assertTrue(outcome.error().closesConnection());
    }
}
