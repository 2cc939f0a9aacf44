package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The status line a client or proxy reads (RFC 9112 section 4; RFC 9110 sections 2.5, 6.2 and 15). */
class ResponseStatusLineTest {

    private static ResponseHead read(String statusLine) throws IOException {
        String raw = statusLine + "\r\nContent-Length: 0\r\n\r\n";
        return new ResponseReader(new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1))).readHead();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.1 200 OK|HTTP/1.1|200|OK",
        "HTTP/1.0 404 Not Found|HTTP/1.0|404|Not Found",
        "HTTP/1.1 204 |HTTP/1.1|204|",
        "HTTP/1.1 200|HTTP/1.1|200|",
        "HTTP/1.2 200 OK|HTTP/1.1|200|OK",     // a later minor version is read as the highest we conform to
        "HTTP/1.9 503 Busy|HTTP/1.1|503|Busy",
        "HTTP/1.1 999 Mine|HTTP/1.1|999|Mine",
    })
    void accepted(String line, String version, int status, String reason) throws IOException {
        ResponseHead head = read(line);
        assertEquals(version, head.version());
        assertEquals(status, head.status());
        assertEquals(reason == null ? "" : reason, head.reason());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HTTP/2.0 200 OK", "HTTP/1.x 200 OK", "HTTP/1.10 200 OK", "HTTP/1.1 099 Low",
        "HTTP/1.1 20 OK", "HTTP/1.1  200 OK", "http/1.1 200 OK", "HTTP/1.1 2000 OK", "ICY 200 OK"})
    void refusedAs502(String line) {
        HttpException e = assertThrows(HttpException.class, () -> read(line));
        assertEquals(502, e.status());
    }
}
