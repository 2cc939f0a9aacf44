package dev.weft.http;

import static dev.weft.http.RawHttpClient.head;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.RawHttpClient.RawResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the server puts on the wire for a handler's answer: framing (Content-Length, chunked, none
 * for HEAD, 204 and 304), the Date field, and what happens when a handler fails, answers too little,
 * or does not answer at all.
 */
class ServerResponseTest {

    private static final String SECRET = "secret-detail-4711";
    private static final byte[] BIG = new byte[100 * 1024 + 7];
    /** IMF-fixdate, RFC 9110 section 5.6.7. */
    private static final Pattern IMF_FIXDATE = Pattern.compile(
            "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} "
                    + "\\d{2}:\\d{2}:\\d{2} GMT");

    private static final ServerHarness HARNESS = new ServerHarness();
    private static final ConcurrentLinkedQueue<String> REFUSED_FIELDS = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() {
        new Random(42).nextBytes(BIG);
        HARNESS.start(b -> b
                .get("/text", (req, res) -> res.send("hello world"))
                .get("/stream", (req, res) -> {
                    try (OutputStream out = res.stream()) {
                        out.write("first,".getBytes(StandardCharsets.UTF_8));
                        out.write(new byte[0]);
                        out.write("second,".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        out.write("third".getBytes(StandardCharsets.UTF_8));
                    }
                })
                .get("/stream-big", (req, res) -> {
                    OutputStream out = res.stream();
                    out.write(BIG, 0, 10);
                    out.write(BIG, 10, BIG.length - 10);
                    // not closed: the server ends the body
                })
                .get("/fixed", (req, res) -> {
                    res.header("Content-Length", "11");
                    OutputStream out = res.stream();
                    out.write("hello ".getBytes(StandardCharsets.UTF_8));
                    out.write("world".getBytes(StandardCharsets.UTF_8));
                })
                .get("/short", (req, res) -> {
                    res.header("Content-Length", "10");
                    res.stream().write("12345".getBytes(StandardCharsets.UTF_8));
                })
                .get("/long", (req, res) -> {
                    res.header("Content-Length", "5");
                    res.stream().write("1234567890".getBytes(StandardCharsets.UTF_8));
                })
                .get("/two-lengths", (req, res) -> {
                    res.addHeader("Content-Length", "5").addHeader("content-length", "10");
                    res.stream().write("hello".getBytes(StandardCharsets.UTF_8));
                })
                .get("/no-content", (req, res) -> res.status(204).send("dropped"))
                .get("/no-content-stream", (req, res) -> {
                    res.status(204).header("Content-Length", "7");
                    res.stream().write("dropped".getBytes(StandardCharsets.UTF_8));
                })
                .get("/not-modified", (req, res) -> {
                    res.status(304).header("ETag", "\"v1\"");
                    res.send("dropped");
                })
                .get("/nothing", (req, res) -> { })
                .get("/created-nothing", (req, res) -> res.status(201))
                .get("/throws-error", (req, res) -> {
                    throw new AssertionError(SECRET);
                })
                .get("/throws", (req, res) -> {
                    throw new IllegalStateException(SECRET);
                })
                .get("/throws-after-headers", (req, res) -> {
                    res.status(201).header("Content-Type", "application/json").header("X-Partial", "yes");
                    throw new IllegalStateException(SECRET);
                })
                .get("/throws-after-commit", (req, res) -> {
                    OutputStream out = res.stream();
                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    throw new IllegalStateException(SECRET);
                })
                .get("/conflict", (req, res) -> {
                    res.header("Content-Type", "application/json").header("X-Kept", "yes");
                    throw HttpException.keepingConnection(409, "already there");
                })
                .get("/te", (req, res) -> {
                    res.header("Transfer-Encoding", "gzip");
                    res.send("plain");
                })
                .get("/split", (req, res) -> {
                    for (String[] field : List.of(new String[] {"X-A", "a\r\nSet-Cookie: evil=1"},
                            new String[] {"X-A", "a\nb"}, new String[] {"X-A", "a\rb"}, new String[] {"X-A", "a\u0000b"},
                            new String[] {"X-A: b\r\nX-B", "v"}, new String[] {"X A", "v"}, new String[] {"", "v"},
                            new String[] {"X-A", "\u20ac"})) {
                        try {
                            res.header(field[0], field[1]);
                        } catch (IllegalArgumentException e) {
                            REFUSED_FIELDS.add("header");
                        }
                        try {
                            res.addHeader(field[0], field[1]);
                        } catch (IllegalArgumentException e) {
                            REFUSED_FIELDS.add("addHeader");
                        }
                    }
                    res.header("X-Tab", "a\tb");
                    res.send("done");
                })
                .get("/split-through-headers", (req, res) -> {
                    // headers() hands out the fields themselves: these are checked only when the head goes out
                    res.headers().add("X-Evil", req.queryParam("v"));
                    res.send("never sent");
                }));
    }

    @AfterAll
    static void stop() {
        HARNESS.close();
    }

    @BeforeEach
    void reset() {
        REFUSED_FIELDS.clear();
    }

    private static String get(String path) {
        return head("GET " + path + " HTTP/1.1", "Host: h");
    }

    private static void assertServedAfterwards(RawHttpClient client) throws IOException {
        RawResponse r = client.send(get("/text")).readResponse();
        assertEquals(200, r.status, r::toString);
        assertEquals("hello world", r.bodyText(), "the previous response had no stray body bytes");
    }

    @Test
    void headGetsTheHeadOfGetWithoutTheBody() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse get = client.send(get("/text")).readResponse();
        RawResponse head = client.send(head("HEAD /text HTTP/1.1", "Host: h")).readResponse(true);
        assertEquals(200, head.status);
        assertEquals(get.header("Content-Length"), head.header("Content-Length"));
        assertEquals("11", head.header("Content-Length"));
        assertEquals(get.header("Content-Type"), head.header("Content-Type"));
        assertServedAfterwards(client);
    }

    @Test
    void headOfAStreamedResponseSendsNoChunks() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse head = client.send(head("HEAD /stream HTTP/1.1", "Host: h")).readResponse(true);
        assertEquals(200, head.status);
        assertEquals("chunked", head.header("Transfer-Encoding"));
        RawResponse fixed = client.send(head("HEAD /fixed HTTP/1.1", "Host: h")).readResponse(true);
        assertEquals("11", fixed.header("Content-Length"));
        assertServedAfterwards(client);
    }

    @Test
    void noContentAndNotModifiedCarryNoBodyAndNoFraming() throws IOException {
        RawHttpClient client = HARNESS.connect();
        for (String path : List.of("/no-content", "/no-content-stream", "/not-modified")) {
            RawResponse r = client.send(get(path)).readResponse();
            assertEquals(path.equals("/not-modified") ? 304 : 204, r.status, path);
            assertFalse(r.has("Content-Length"), () -> path + ":\n" + r);
            assertFalse(r.has("Transfer-Encoding"), () -> path + ":\n" + r);
            assertServedAfterwards(client);
        }
    }

    @Test
    void everyResponseHasOneImfFixdateDateOfNow() throws IOException {
        RawHttpClient client = HARNESS.connect();
        String[] requests = {get("/text"), get("/stream"), get("/nothing"), get("/no-content"), get("/missing"),
            head("DELETE /text HTTP/1.1", "Host: h"), get("/conflict")};
        for (String request : requests) {
            RawResponse r = client.send(request).readResponse();
            checkDate(r);
        }
        checkDate(HARNESS.exchange(get("/throws")));
        checkDate(HARNESS.exchange("GET / HTTP/1.1\r\n\r\n"));
    }

    private static void checkDate(RawResponse r) {
        List<String> dates = r.headers("Date");
        assertEquals(1, dates.size(), r::toString);
        String date = dates.get(0);
        assertTrue(IMF_FIXDATE.matcher(date).matches(), "not IMF-fixdate: " + date);
        Instant sent = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        long skew = Math.abs(sent.getEpochSecond() - Instant.now().getEpochSecond());
        assertTrue(skew <= 5, "Date " + date + " is " + skew + " s off");
    }

    @Test
    void streamWithoutLengthIsChunked() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse r = client.send(get("/stream")).readResponse();
        assertEquals(200, r.status);
        assertTrue(r.chunked);
        assertFalse(r.has("Content-Length"));
        assertEquals("first,second,third", r.bodyText());
        assertEquals(3, r.chunks, "an empty write is not a chunk (it would end the body)");

        RawResponse big = client.send(get("/stream-big")).readResponse();
        assertTrue(big.chunked);
        assertArrayEquals(BIG, big.body);
        assertServedAfterwards(client);
    }

    @Test
    void streamAfterAContentLengthIsFixedLength() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse r = client.send(get("/fixed")).readResponse();
        assertFalse(r.chunked);
        assertFalse(r.has("Transfer-Encoding"));
        assertEquals("11", r.header("Content-Length"));
        assertEquals("hello world", r.bodyText());
        assertServedAfterwards(client);
    }

    @Test
    void aStreamedResponseCarriesExactlyOneContentLength() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse r = client.send(get("/two-lengths")).readResponse();
        assertEquals(List.of("5"), r.headers("Content-Length"), () -> "conflicting lengths would desync a proxy:\n" + r);
        assertEquals("hello", r.bodyText());
        assertServedAfterwards(client);
    }

    @Test
    void handlerTransferEncodingIsReplacedBySendsOwnFraming() throws IOException {
        RawResponse r = HARNESS.exchange(get("/te"));
        assertFalse(r.has("Transfer-Encoding"), r::toString);
        assertEquals("5", r.header("Content-Length"));
        assertEquals("plain", r.bodyText());
    }

    @Test
    void fewerBytesThanTheDeclaredLengthCloseTheConnection() throws IOException {
        RawHttpClient client = HARNESS.connect();
        String raw = new String(client.send(get("/short") + get("/text")).readToClose(), StandardCharsets.ISO_8859_1);
        int end = raw.indexOf("\r\n\r\n");
        assertTrue(end > 0, raw);
        assertTrue(raw.startsWith("HTTP/1.1 200 "), raw);
        assertTrue(raw.substring(0, end + 2).contains("\r\nContent-Length: 10\r\n"), raw);
        assertEquals("12345", raw.substring(end + 4), "only what the handler wrote, then the close");
    }

    @Test
    void moreBytesThanTheDeclaredLengthAreNotSentAndCloseTheConnection() throws IOException {
        RawHttpClient client = HARNESS.connect();
        String raw = new String(client.send(get("/long") + get("/text")).readToClose(), StandardCharsets.ISO_8859_1);
        int end = raw.indexOf("\r\n\r\n");
        assertTrue(raw.substring(0, end + 2).contains("\r\nContent-Length: 5\r\n"), raw);
        assertEquals("", raw.substring(end + 4), "the over-long write is refused whole, then the close");
    }

    @Test
    void handlerThrowingBeforeAnsweringGetsA500WithoutDetails() throws IOException {
        for (String path : List.of("/throws", "/throws-after-headers", "/throws-error")) {
            RawHttpClient client = HARNESS.connect();
            RawResponse r = client.send(get(path)).readResponse();
            assertEquals(500, r.status, path);
            assertTrue(r.header("Content-Type").startsWith("text/plain"), () -> path + ":\n" + r);
            assertNull(r.header("X-Partial"), () -> "headers of the failed answer are dropped:\n" + r);
            String body = r.bodyText();
            assertFalse(body.isEmpty());
            assertFalse(body.contains(SECRET), body);
            assertFalse(body.contains("Exception"), body);
            assertFalse(body.contains("\tat "), body);
            assertEquals("close", r.header("Connection"));
            assertTrue(client.awaitClose());
        }
        // Later connections are served as usual.
        RawResponse after = HARNESS.exchange(get("/text"));
        assertEquals("hello world", after.bodyText());
    }

    @Test
    void handlerThrowingAfterCommittingClosesWithoutASecondResponse() throws IOException {
        RawHttpClient client = HARNESS.connect();
        String raw = new String(client.send(get("/throws-after-commit") + get("/text")).readToClose(),
                StandardCharsets.ISO_8859_1);
        int end = raw.indexOf("\r\n\r\n");
        assertTrue(raw.startsWith("HTTP/1.1 200 "), raw);
        assertTrue(raw.substring(0, end + 2).contains("\r\nTransfer-Encoding: chunked\r\n"), raw);
        assertEquals("7\r\npartial\r\n", raw.substring(end + 4), "the partial chunk, no last chunk, no 500");
        assertEquals(1, raw.split("HTTP/1.1", -1).length - 1, raw);
        assertFalse(raw.contains(SECRET));
    }

    @Test
    void handlerHttpExceptionGivesItsStatusAndMayKeepTheConnection() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse r = client.send(get("/conflict")).readResponse();
        assertEquals(409, r.status);
        assertEquals("already there\n", r.bodyText());
        assertTrue(r.header("Content-Type").startsWith("text/plain"), () -> "the body is the server's:\n" + r);
        assertEquals("yes", r.header("X-Kept"), "other fields the handler chose stay");
        assertNull(r.header("Connection"));
        assertServedAfterwards(client);
    }

    @Test
    void handlerThatNeverAnswersSendsAnEmptyResponse() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse r = client.send(get("/nothing")).readResponse();
        assertEquals(200, r.status);
        assertEquals("0", r.header("Content-Length"));
        assertFalse(r.has("Transfer-Encoding"));
        assertEquals(0, r.body.length);
        RawResponse created = client.send(get("/created-nothing")).readResponse();
        assertEquals(201, created.status);
        assertEquals("HTTP/1.1 201 Created", created.statusLine);
        assertEquals("0", created.header("Content-Length"));
        assertServedAfterwards(client);
    }

    @Test
    void fieldsAddedThroughHeadersAreCheckedWhenTheHeadIsSent() throws IOException {
        // CR LF, and U+560A, whose low byte is LF: narrowed to Latin-1 it would end the line
        for (String value : List.of("a%0D%0ASet-Cookie:%20evil=1", "a%E5%98%8ASet-Cookie:%20evil=1", "a%00b")) {
            RawResponse r = HARNESS.exchange(get("/split-through-headers?v=" + value));
            assertEquals(500, r.status, value);
            assertNull(r.header("Set-Cookie"), value);
            assertNull(r.header("X-Evil"), value);
            assertFalse(r.bodyText().contains("never sent"), value);
        }
    }

    @Test
    void headerFieldsThatCouldSplitTheResponseAreRefused() throws IOException {
        RawResponse r = HARNESS.exchange(get("/split"));
        assertEquals(200, r.status);
        assertEquals("done", r.bodyText());
        assertEquals(16, REFUSED_FIELDS.size(), "each bad field refused by header() and addHeader()");
        assertNull(r.header("Set-Cookie"));
        assertNull(r.header("X-A"));
        assertNull(r.header("X-B"));
        assertEquals("a\tb", r.header("X-Tab"));
    }

    @Test
    void http10GetsNoChunkedBodyButOneEndedByClosing() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse r = client.send(head("GET /stream HTTP/1.0", "Connection: keep-alive")).readResponse();
        assertEquals(200, r.status);
        assertFalse(r.has("Transfer-Encoding"), () -> "HTTP/1.0 has no chunked coding (RFC 9112 section 6.1):\n" + r);
        assertEquals("close", r.header("Connection"));
        assertTrue(r.closeDelimited);
        assertEquals("first,second,third", r.bodyText());

        RawResponse fixed = HARNESS.exchange(head("GET /fixed HTTP/1.0"));
        assertEquals("11", fixed.header("Content-Length"));
        assertEquals("hello world", fixed.bodyText());
    }
}
