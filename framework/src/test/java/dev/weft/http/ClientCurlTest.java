package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server against the {@code curl} binary (Debian package): what the server's handlers received
 * and what curl printed, for keep-alive, chunked and {@code Expect: 100-continue} uploads, and HEAD.
 */
class ClientCurlTest {

    private static final Duration CURL_LIMIT = Duration.ofSeconds(20);
    private static final String DOC = "0123456789abcdef".repeat(77) + "end\n"; // 1236 bytes

    /** What a handler saw of one request. */
    record Seen(String method, String path, int remotePort, long contentLength, String transferEncoding,
            String expect, String digest) {
    }

    @TempDir
    Path dir;
    private final ClientFixture fixture = new ClientFixture();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        fixture.start(b -> b
                .get("/one", (req, res) -> {
                    record(req, null);
                    res.send("first\n");
                })
                .get("/two", (req, res) -> {
                    record(req, null);
                    res.send("second\n");
                })
                .get("/doc", (req, res) -> {
                    record(req, null);
                    res.send(DOC);
                })
                .post("/upload", (req, res) -> {
                    String digest = ClientFixture.digest(req.body());
                    record(req, digest);
                    res.send(digest);
                }));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void twoUrlsInOneInvocationShareOneKeptAliveConnection() {
        ClientFixture.Ran curl = curl("-w", "[%{http_code} %{num_connects}]\n", fixture.url("/one"), fixture.url("/two"));

        assertEquals(0, curl.exit(), curl::toString);
        assertEquals("first\n[200 1]\nsecond\n[200 0]\n", curl.out(), "the second transfer opened no connection");
        assertEquals(List.of("/one", "/two"), seen.stream().map(Seen::path).toList());
        assertEquals(seen.get(0).remotePort(), seen.get(1).remotePort(), "both requests came from one client port");
        assertEquals(1, fixture.opened(), "the server accepted one connection");
    }

    @Test
    void chunkedUploadOf200KibArrivesIntact() throws Exception {
        byte[] data = randomBytes(200 * 1024 + 7, 1);
        Path file = Files.write(dir.resolve("upload.bin"), data);

        ClientFixture.Ran curl = curl("-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file,
                fixture.url("/upload"));

        String expected = data.length + " " + ClientFixture.sha256(data);
        assertEquals(0, curl.exit(), curl::toString);
        assertEquals(expected, curl.out());
        assertEquals(1, seen.size());
        Seen upload = seen.get(0);
        assertEquals("chunked", upload.transferEncoding());
        assertEquals(-1, upload.contentLength(), "a chunked body has no declared length");
        assertEquals(expected, upload.digest());
    }

    @Test
    void expectContinueUploadIsAnsweredWithoutCurlWaitingForItsTimeout() throws Exception {
        byte[] data = randomBytes(300 * 1024, 2);
        Path file = Files.write(dir.resolve("upload.bin"), data);

        // Were the server to ignore the expectation, curl would wait these 4 s before sending the body.
        ClientFixture.Ran curl = curl("-v", "--expect100-timeout", "4", "-H", "Expect: 100-continue",
                "--data-binary", "@" + file, "-w", "\n%{time_total}", fixture.url("/upload"));

        assertEquals(0, curl.exit(), curl::toString);
        String[] lines = curl.out().split("\n");
        assertEquals(data.length + " " + ClientFixture.sha256(data), lines[0]);
        double seconds = Double.parseDouble(lines[1]);
        assertTrue(seconds < 2.0, "curl took " + seconds + " s: it waited for 100 Continue");
        assertTrue(curl.err().contains("< HTTP/1.1 100 Continue"), curl::err);
        assertTrue(curl.err().contains("< HTTP/1.1 200 OK"), curl::err);
        Seen upload = seen.get(0);
        assertEquals("100-continue", upload.expect());
        assertEquals(data.length, upload.contentLength());
        assertEquals(data.length + " " + ClientFixture.sha256(data), upload.digest());
    }

    @Test
    void headReturnsTheContentLengthOfGetAndNoBody() {
        ClientFixture.Ran get = curl("-D", "-", "-o", "/dev/null", fixture.url("/doc"));
        // HEAD twice on one connection: body bytes after the first head would corrupt the second response.
        ClientFixture.Ran head = curl("-I", "-w", "[%{size_download} %{num_connects}]\n", fixture.url("/doc"),
                fixture.url("/doc"));

        assertEquals(0, get.exit(), get::toString);
        assertEquals(0, head.exit(), head::toString);
        assertEquals(Integer.toString(DOC.length()), header(get.out(), "Content-Length"));
        List<String> responses = splitResponses(head.out());
        assertEquals(2, responses.size(), head::toString);
        for (String response : responses) {
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
            assertEquals(Integer.toString(DOC.length()), header(response, "Content-Length"), response);
            assertNull(header(response, "Transfer-Encoding"), response);
        }
        assertTrue(head.out().contains("[0 1]\n") && head.out().endsWith("[0 0]\n"),
                "no body bytes, one connection: " + head.out());
        assertEquals(List.of("GET", "HEAD", "HEAD"), seen.stream().map(Seen::method).toList());
        assertEquals(seen.get(1).remotePort(), seen.get(2).remotePort());
    }

    @Test
    void headFollowedByGetOnOneSocketCarriesNoBodyForTheHead() {
        try (SlowSocket socket = SlowSocket.connect(fixture.port())) {
            socket.send("HEAD /doc HTTP/1.1\r\nHost: t\r\n\r\nGET /doc HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            String all = new String(socket.readToEnd(Duration.ofSeconds(5)), StandardCharsets.ISO_8859_1);

            List<String> parts = splitResponses(all);
            assertEquals(2, parts.size(), all);
            assertTrue(parts.get(0).endsWith("\r\n\r\n"), "the HEAD response ends with its head: " + all);
            assertEquals(Integer.toString(DOC.length()), header(parts.get(0), "Content-Length"));
            assertTrue(parts.get(1).endsWith("\r\n\r\n" + DOC), all);
        }
    }

    private ClientFixture.Ran curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "15"));
        command.addAll(List.of(args));
        return ClientFixture.run(command, dir, CURL_LIMIT);
    }

    private void record(Request req, String digest) {
        seen.add(new Seen(req.method(), req.path(), req.remoteAddress().getPort(), req.contentLength(),
                req.header("Transfer-Encoding"), req.header("Expect"), digest));
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The value of header {@code name} in the first response head of {@code text}, or null. */
    private static String header(String text, String name) {
        Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*([^\\r\\n]*)\\r?$").matcher(text);
        return m.find() ? m.group(1).trim() : null;
    }

    /** Splits at each status line. */
    private static List<String> splitResponses(String text) {
        List<String> parts = new ArrayList<>();
        int from = text.indexOf("HTTP/1.1 ");
        while (from >= 0) {
            int next = text.indexOf("HTTP/1.1 ", from + 1);
            parts.add(next < 0 ? text.substring(from) : text.substring(from, next));
            from = next;
        }
        return parts;
    }
}
