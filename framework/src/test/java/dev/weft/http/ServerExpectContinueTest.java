package dev.weft.http;

import static dev.weft.http.RawHttpClient.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.RawHttpClient.RawResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Expect: 100-continue} (RFC 9110 section 10.1.1): the interim response goes out only when
 * the handler starts reading the body, so a client that waits for it sends the body only when it is
 * wanted; a handler that answers without reading gets no 100 and the connection closes (the client
 * may never send the body). Any other expectation is a 417.
 */
class ServerExpectContinueTest {

    private static final ServerHarness HARNESS = new ServerHarness();
    private static final AtomicInteger HANDLED = new AtomicInteger();

    @BeforeAll
    static void start() {
        HARNESS.start(b -> b.limits(HttpLimits.DEFAULTS.withMaxBodySize(1024))
                .post("/echo", (req, res) -> {
                    HANDLED.incrementAndGet();
                    res.send(req.bodyBytes());
                })
                .post("/login", (req, res) -> {
                    HANDLED.incrementAndGet();
                    res.header("WWW-Authenticate", "Basic realm=\"weft\"");
                    res.send(401, "who are you?\n");
                })
                .post("/too-big", (req, res) -> {
                    HANDLED.incrementAndGet();
                    res.send(413, "not that\n");
                })
                .get("/", (req, res) -> res.send("root")));
    }

    @AfterAll
    static void stop() {
        HARNESS.close();
    }

    @BeforeEach
    void reset() {
        HANDLED.set(0);
    }

    private static String post(String path, String... fields) {
        String[] lines = new String[fields.length + 2];
        lines[0] = "POST " + path + " HTTP/1.1";
        lines[1] = "Host: h";
        System.arraycopy(fields, 0, lines, 2, fields.length);
        return head(lines);
    }

    private static void assertContinue(RawResponse interim) {
        assertEquals("HTTP/1.1 100 Continue", interim.statusLine, interim::toString);
        assertTrue(interim.fields.isEmpty(), interim::toString);
    }

    @Test
    void aHandlerThatReadsTheBodyGets100ContinueFirst() throws IOException {
        RawHttpClient client = HARNESS.connect();
        // Only the head: the body goes out once the server asks for it.
        RawResponse interim = client.send(post("/echo", "Content-Length: 5", "Expect: 100-continue")).readResponse();
        assertContinue(interim);
        RawResponse r = client.send("hello").readResponse();
        assertEquals(200, r.status);
        assertEquals("hello", r.bodyText());
        assertNull(r.header("Connection"), r::toString);
        // The connection goes on.
        assertEquals("root", client.send(head("GET / HTTP/1.1", "Host: h")).readResponse().bodyText());
    }

    @Test
    void theExpectationIsCaseInsensitiveAndWorksForChunkedBodies() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse interim = client.send(post("/echo", "Transfer-Encoding: chunked", "Expect: 100-Continue"))
                .readResponse();
        assertContinue(interim);
        RawResponse r = client.send("3\r\nabc\r\n0\r\n\r\n").readResponse();
        assertEquals("abc", r.bodyText());
        assertEquals("root", client.send(head("GET / HTTP/1.1", "Host: h")).readResponse().bodyText());
    }

    @Test
    void aHandlerThatAnswersWithoutReadingGetsNo100AndTheConnectionCloses() throws IOException {
        for (String path : new String[] {"/login", "/too-big"}) {
            RawHttpClient client = HARNESS.connect();
            RawResponse r = client.send(post(path, "Content-Length: 5", "Expect: 100-continue")
                    + head("GET / HTTP/1.1", "Host: h")).readResponse();
            assertEquals(path.equals("/login") ? 401 : 413, r.status, () -> "no 100 first:\n" + r);
            assertEquals("close", r.header("Connection"), r::toString);
            assertTrue(client.awaitClose());
        }
        assertEquals(2, HANDLED.get());
    }

    @Test
    void aClientThatSendsTheBodyAnywayIsServed() throws IOException {
        RawHttpClient client = HARNESS.connect();
        client.send(post("/echo", "Content-Length: 5", "Expect: 100-continue") + "hello");
        RawResponse r = client.readResponse();
        if (r.status == 100) { // allowed, though the body was already there
            r = client.readResponse();
        }
        assertEquals(200, r.status);
        assertEquals("hello", r.bodyText());
        assertEquals("root", client.send(head("GET / HTTP/1.1", "Host: h")).readResponse().bodyText());
    }

    @Test
    void http10ExpectationIsIgnored() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse r = client.send(head("POST /echo HTTP/1.0", "Content-Length: 5", "Expect: 100-continue")
                + "hello").readResponse();
        assertEquals(200, r.status, () -> "no interim response to HTTP/1.0:\n" + r);
        assertEquals("hello", r.bodyText());
    }

    @Test
    void noBodyMeansNoInterimResponse() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse r = client.send(head("GET / HTTP/1.1", "Host: h", "Expect: 100-continue")).readResponse();
        assertEquals(200, r.status);
        assertEquals("root", r.bodyText());
        RawResponse empty = client.send(post("/echo", "Content-Length: 0", "Expect: 100-continue")).readResponse();
        assertEquals(200, empty.status);
        assertEquals("", empty.bodyText());
        assertEquals("root", client.send(head("GET / HTTP/1.1", "Host: h")).readResponse().bodyText());
    }

    @Test
    void anyOtherExpectationIs417() throws IOException {
        for (String expect : new String[] {"Expect: something-else", "Expect: 100-continue, foo",
            "Expect: 200-ok"}) {
            RawHttpClient client = HARNESS.connect();
            RawResponse r = client.send(post("/echo", "Content-Length: 5", expect) + "hello").readResponse();
            assertEquals(417, r.status, expect);
            assertEquals("close", r.header("Connection"));
            assertTrue(client.awaitClose());
        }
        RawHttpClient client = HARNESS.connect();
        RawResponse r = client.send(head("GET / HTTP/1.1", "Host: h", "Expect: nope")).readResponse();
        assertEquals(417, r.status, "whether or not there is a body");
        assertEquals(0, HANDLED.get());
    }

    @Test
    void aBodyOverTheLimitIsRefusedWithout100() throws IOException {
        RawHttpClient client = HARNESS.connect();
        RawResponse r = client.send(post("/echo", "Content-Length: 1025", "Expect: 100-continue")).readResponse();
        assertEquals(413, r.status);
        assertEquals("close", r.header("Connection"));
        assertTrue(client.awaitClose());
        assertEquals(0, HANDLED.get());
    }
}
