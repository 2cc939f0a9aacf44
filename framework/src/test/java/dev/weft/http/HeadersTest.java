package dev.weft.http;

import static dev.weft.http.TableCase.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Headers} as the parser fills it: case-insensitive names, repeats in order, comma lists. */
class HeadersTest {

    private static final String REQUEST = head("GET / HTTP/1.1",
            "Host: example.com",
            "Accept: text/html",
            "Connection: keep-alive, Upgrade",
            "ACCEPT: application/json;q=0.9",
            "Upgrade: websocket",
            "connection: x-custom ,  ,close",
            "X-Empty:");

    private static Headers parse(Delivery delivery) throws IOException {
        RequestFixture.Outcome outcome = RequestFixture.parseAll(REQUEST, HttpLimits.DEFAULTS, delivery);
        assertNull(outcome.error());
        return outcome.requests().get(0).head().headers();
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void lookupIgnoresCaseAndKeepsRepeatsInOrder(Delivery delivery) throws IOException {
        Headers headers = parse(delivery);

        assertEquals(7, headers.size());
        assertEquals("text/html", headers.first("accept"));
        assertEquals(List.of("text/html", "application/json;q=0.9"), headers.all("aCcEpT"));
        assertEquals(2, headers.count("CONNECTION"));
        assertTrue(headers.contains("x-empty"));
        assertEquals("", headers.first("X-EMPTY"));
        assertFalse(headers.contains("Accept-Encoding"));
        assertNull(headers.first("Accept-Encoding"));
        assertEquals(List.of(), headers.all("Accept-Encoding"));
        assertEquals(0, headers.count("Accept-Encoding"));
        // Names and values by index, as received.
        assertEquals("ACCEPT", headers.name(3));
        assertEquals("application/json;q=0.9", headers.value(3));
        assertEquals("connection", headers.name(5));
    }

    @ParameterizedTest(name = "{0} holds {1}: {2}")
    @CsvSource({
        "Connection, keep-alive, true",
        "connection, UPGRADE, true",
        "Connection, close, true",
        "Connection, x-custom, true",
        "Connection, keep, false",
        "Connection, alive, false",
        "Connection, 'keep-alive, Upgrade', false",
        "Upgrade, websocket, true",
        "Accept, application/json, false",
        "Accept, text/html, true",
        "Transfer-Encoding, chunked, false",
    })
    void containsTokenReadsEveryFieldAsACommaList(String name, String token, boolean expected) throws IOException {
        for (Delivery delivery : Delivery.values()) {
            assertEquals(expected, parse(delivery).containsToken(name, token), delivery.name());
        }
    }

    @Test
    void parsedHeadersAreReadOnly() throws IOException {
        Headers headers = parse(Delivery.ONE_BYTE);
        assertThrows(UnsupportedOperationException.class, () -> headers.add("X", "y"));
        assertThrows(UnsupportedOperationException.class, () -> headers.set("Host", "evil.example"));
        assertThrows(UnsupportedOperationException.class, () -> headers.remove("Host"));
        assertThrows(UnsupportedOperationException.class, () -> headers.all("Accept").add("x"));
        assertEquals("example.com", headers.first("Host"));
    }

    @Test
    void setReplacesEveryFieldOfTheNameAndRemoveReportsWhetherOneWasThere() {
        Headers headers = new Headers().add("Vary", "a").add("X", "1").add("vary", "b");

        headers.set("VARY", "c");
        assertEquals(List.of("c"), headers.all("Vary"));
        assertEquals(List.of("X", "VARY"), List.of(headers.name(0), headers.name(1)));

        assertTrue(headers.remove("x"));
        assertFalse(headers.remove("x"));
        assertEquals(1, headers.size());
        assertThrows(NullPointerException.class, () -> headers.add("Y", null));
    }
}
