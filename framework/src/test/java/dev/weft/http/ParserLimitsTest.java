package dev.weft.http;

import static dev.weft.http.TableCase.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every parsing limit of {@link HttpLimits} at exactly its value (parses) and one past it (refused
 * with the documented status, connection closed): small custom limits under every {@link Delivery},
 * then the real defaults once.
 */
class ParserLimitsTest {

    private static final HttpLimits SMALL = HttpLimits.DEFAULTS
            .withMaxRequestLineLength(32)
            .withMaxHeaderSize(64)
            .withMaxHeaderCount(4)
            .withMaxBodySize(10)
            .withMaxChunkExtensionSize(12)
            .withMaxTrailerSize(24);

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void requestLineAtTheLimitParsesAndOneMoreIs414(Delivery delivery) throws IOException {
        assertParses(head(requestLine(32), "Host: h"), SMALL, delivery);
        assertRefused(414, head(requestLine(33), "Host: h"), SMALL, delivery);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void headerSectionAtTheLimitParsesAndOneMoreByteIs431(Delivery delivery) throws IOException {
        assertParses(requestWithHeaderSection(64), SMALL, delivery);
        assertRefused(431, requestWithHeaderSection(65), SMALL, delivery);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void headerCountAtTheLimitParsesAndOneMoreFieldIs431(Delivery delivery) throws IOException {
        assertParses(requestWithFields(4), SMALL, delivery);
        assertRefused(431, requestWithFields(5), SMALL, delivery);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void chunkedBodyAtTheLimitParsesAndOneMoreByteIs413(Delivery delivery) throws IOException {
        ParsedRequest request = assertParses(chunked("4\r\naaaa\r\n6\r\nbbbbbb\r\n0\r\n\r\n"), SMALL, delivery);
        assertEquals("aaaabbbbbb", request.bodyText());
        assertRefused(413, chunked("4\r\naaaa\r\n7\r\nbbbbbbb\r\n0\r\n\r\n"), SMALL, delivery);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void anOversizedChunkIsRefusedFromItsSizeLineBeforeItsData(Delivery delivery) throws IOException {
        // No data follows: a 400 for the truncation would mean the size was not checked first.
        assertRefused(413, chunked("b\r\n"), SMALL, delivery);
        assertRefused(413, chunked("fffffffffffffff\r\n"), SMALL.withMaxChunkExtensionSize(15), delivery);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void chunkSizeLineAtTheLimitParsesAndOneMoreIs400(Delivery delivery) throws IOException {
        String atLimit = "5;" + "e".repeat(10);
        assertEquals(12, atLimit.length());
        assertParses(chunked(atLimit + "\r\nhello\r\n0\r\n\r\n"), SMALL, delivery);
        assertRefused(400, chunked(atLimit + "e\r\nhello\r\n0\r\n\r\n"), SMALL, delivery);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void trailerSectionAtTheLimitParsesAndOneMoreByteIs431(Delivery delivery) throws IOException {
        ParsedRequest request = assertParses(chunked("0\r\n" + trailerSection(24) + "\r\n"), SMALL, delivery);
        assertEquals(1, request.trailers().size());
        assertRefused(431, chunked("0\r\n" + trailerSection(25) + "\r\n"), SMALL, delivery);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void trailerCountFollowsTheHeaderCountLimit(Delivery delivery) throws IOException {
        HttpLimits limits = SMALL.withMaxTrailerSize(1024);
        ParsedRequest request = assertParses(chunked("0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"), limits, delivery);
        assertEquals(4, request.trailers().size());
        assertRefused(431, chunked("0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n"), limits, delivery);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void contentLengthTakesUpTo18Digits(Delivery delivery) throws IOException {
        String eighteen = "999999999999999999";
        HttpInput in = delivery.open(head("POST / HTTP/1.1", "Host: h", "Content-Length: " + eighteen));
        assertEquals(new BodyFraming(false, Long.parseLong(eighteen)),
                BodyFraming.of(new RequestHeadParser(HttpLimits.DEFAULTS).read(in)));
        assertRefused(413, head("POST / HTTP/1.1", "Host: h", "Content-Length: 1" + eighteen), HttpLimits.DEFAULTS,
                delivery);
        HttpInput zeros = delivery.open(head("POST / HTTP/1.1", "Host: h", "Content-Length: 00" + eighteen));
        assertEquals(new BodyFraming(false, Long.parseLong(eighteen)),
                BodyFraming.of(new RequestHeadParser(HttpLimits.DEFAULTS).read(zeros)), "leading zeros are not digits that count");
    }

    @Test
    void chunkSizeTakesUpTo15SignificantHexDigits() {
        assertEquals(0x0fff_ffff_ffff_ffffL, ChunkedInputStream.parseSize("fffffffffffffff"));
        assertEquals(1, ChunkedInputStream.parseSize("0".repeat(40) + "1"));
        assertEquals(0, ChunkedInputStream.parseSize("0".repeat(40)));
        HttpException e = assertThrows(HttpException.class, () -> ChunkedInputStream.parseSize("1000000000000000"));
        assertEquals(400, e.status());
        assertTrue(e.closesConnection());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void endlessLinesFailAtTheLimitWithoutReadingOn(Delivery delivery) throws IOException {
        // 'a' forever, no LF: the parser must give up near the limit, not buffer what it is sent.
        byte[] endless = new byte[200_000];
        Arrays.fill(endless, (byte) 'a');
        assertEndlessRefused(414, new byte[0], endless, 8 * 1024, delivery);
        assertEndlessRefused(431, bytes("GET / HTTP/1.1\r\nX: "), endless, 16 * 1024, delivery);
        assertEndlessRefused(400, bytes(chunked("1")), endless, 256, delivery);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void theDefaultLimitsHoldAtTheirEdges(Delivery delivery) throws IOException {
        HttpLimits limits = HttpLimits.DEFAULTS;
        assertParses(head(requestLine(8192), "Host: h"), limits, delivery);
        assertRefused(414, head(requestLine(8193), "Host: h"), limits, delivery);
        assertParses(requestWithHeaderSection(16 * 1024), limits, delivery);
        assertRefused(431, requestWithHeaderSection(16 * 1024 + 1), limits, delivery);
        assertParses(requestWithFields(100), limits, delivery);
        assertRefused(431, requestWithFields(101), limits, delivery);
        String line = "5;" + "e".repeat(254);
        assertParses(chunked(line + "\r\nhello\r\n0\r\n\r\n"), limits, delivery);
        assertRefused(400, chunked(line + "e\r\nhello\r\n0\r\n\r\n"), limits, delivery);
        assertParses(chunked("0\r\n" + trailerSection(4096) + "\r\n"), limits, delivery);
        assertRefused(431, chunked("0\r\n" + trailerSection(4097) + "\r\n"), limits, delivery);
    }

    @ParameterizedTest
    @EnumSource(value = Delivery.class, names = {"WHOLE", "FRAGMENTS_UP_TO_17", "TINY_BUFFER"})
    void theDefaultBodyLimitIsTenMebibytesOfChunks(Delivery delivery) throws IOException {
        String mebibyteChunk = "100000\r\n" + "x".repeat(1 << 20) + "\r\n";
        String tenMebibytes = mebibyteChunk.repeat(10);
        ParsedRequest request = assertParses(chunked(tenMebibytes + "0\r\n\r\n"), HttpLimits.DEFAULTS, delivery);
        assertEquals(10 << 20, request.body().length);
        assertRefused(413, chunked(tenMebibytes + "1\r\nx\r\n0\r\n\r\n"), HttpLimits.DEFAULTS, delivery);
    }

    @Test
    void defaultsArePinned() {
        HttpLimits d = HttpLimits.DEFAULTS;
        assertEquals(8192, d.maxRequestLineLength());
        assertEquals(16_384, d.maxHeaderSize());
        assertEquals(100, d.maxHeaderCount());
        assertEquals(10L * 1024 * 1024, d.maxBodySize());
        assertEquals(256, d.maxChunkExtensionSize());
        assertEquals(4096, d.maxTrailerSize());
        assertEquals(Duration.ofSeconds(30), d.headerTimeout());
        assertEquals(Duration.ofSeconds(10), d.readTimeout());
        assertEquals(256, d.minBodyRate());
        assertEquals(Duration.ofSeconds(5), d.bodyRateGrace());
        assertEquals(Duration.ofSeconds(60), d.keepAliveTimeout());
        assertEquals(Duration.ofSeconds(60), d.sendTimeout());
        assertEquals(256, d.minSendRate());
        assertEquals(Duration.ofSeconds(5), d.sendRateGrace());
        assertEquals(0, d.maxRequestsPerConnection());
    }

    @Test
    void withCopiesChangeOneFieldAndRejectNonPositiveLimits() {
        HttpLimits d = HttpLimits.DEFAULTS;
        assertEquals(d, d.withMaxRequestLineLength(8192).withMaxHeaderSize(16_384).withMaxHeaderCount(100)
                .withMaxBodySize(10L << 20).withMaxChunkExtensionSize(256).withMaxTrailerSize(4096));
        assertEquals(new HttpLimits(32, 64, 4, 10, 12, 24, d.headerTimeout(), d.readTimeout(), d.minBodyRate(),
                d.bodyRateGrace(), d.keepAliveTimeout(), d.sendTimeout(), d.minSendRate(), d.sendRateGrace(),
                d.maxRequestsPerConnection()), SMALL);
        assertThrows(IllegalArgumentException.class, () -> d.withMaxRequestLineLength(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxHeaderSize(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxHeaderCount(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxBodySize(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxChunkExtensionSize(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxTrailerSize(-1));
        assertEquals(0, d.withMinSendRate(0, Duration.ZERO).minSendRate(), "0 turns the minimum send rate off");
        assertEquals(Duration.ofSeconds(9), d.withMinSendRate(1000, Duration.ofSeconds(9)).sendRateGrace());
        assertThrows(IllegalArgumentException.class, () -> d.withMinSendRate(-1, Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class, () -> d.withMinSendRate(256, Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> d.withMinSendRate(256, null));
    }

    /** {@code GET /aaa… HTTP/1.1}, exactly {@code length} characters. */
    private static String requestLine(int length) {
        String line = "GET /" + "a".repeat(length - "GET / HTTP/1.1".length()) + " HTTP/1.1";
        assertEquals(length, line.length());
        return line;
    }

    /** A request whose field lines, CRLFs included, take exactly {@code size} bytes. */
    private static String requestWithHeaderSection(int size) {
        String fields = "Host: h\r\nX-Pad: " + "p".repeat(size - 18) + "\r\n";
        assertEquals(size, fields.length());
        return "GET / HTTP/1.1\r\n" + fields + "\r\n";
    }

    /** A request with {@code count} header fields, Host first. */
    private static String requestWithFields(int count) {
        StringBuilder b = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\n");
        for (int i = 1; i < count; i++) {
            b.append("X-").append(i).append(": v\r\n");
        }
        return b.append("\r\n").toString();
    }

    /** One trailer field line, CRLF included, of exactly {@code size} bytes. */
    private static String trailerSection(int size) {
        String line = "X-T: " + "t".repeat(size - 7) + "\r\n";
        assertEquals(size, line.length());
        return line;
    }

    private static String chunked(String body) {
        return head("POST /upload HTTP/1.1", "Host: h", "Transfer-Encoding: chunked") + body;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static ParsedRequest assertParses(String raw, HttpLimits limits, Delivery delivery) throws IOException {
        RequestFixture.Outcome outcome = RequestFixture.parseAll(bytes(raw), limits, delivery);
        assertNull(outcome.error(), () -> "refused: " + outcome.error().status() + " "
                + outcome.error().clientMessage());
        assertEquals(1, outcome.requests().size());
        return outcome.requests().get(0);
    }

    private static void assertRefused(int status, String raw, HttpLimits limits, Delivery delivery)
            throws IOException {
        RequestFixture.Outcome outcome = RequestFixture.parseAll(bytes(raw), limits, delivery);
        assertNotNull(outcome.error(), "expected " + status + ", but the request parsed");
        assertEquals(status, outcome.error().status(), outcome.error().clientMessage());
        assertTrue(outcome.error().closesConnection(), "closesConnection");
        assertEquals(0, outcome.requests().size());
    }

    private static void assertEndlessRefused(int status, byte[] prefix, byte[] endless, int limit, Delivery delivery)
            throws IOException {
        byte[] raw = Arrays.copyOf(prefix, prefix.length + endless.length);
        System.arraycopy(endless, 0, raw, prefix.length, endless.length);
        FragmentingInputStream stream = delivery.stream(raw);
        HttpInput in = new HttpInput(stream, delivery.initialBuffer());
        HttpException e = assertThrows(HttpException.class,
                () -> RequestFixture.next(in, HttpLimits.DEFAULTS, delivery.bodyReadSize()));
        assertEquals(status, e.status(), e.clientMessage());
        assertTrue(e.closesConnection());
        // The buffer may hold a full line at the limit plus CRLF, or its initial size if that is larger.
        int bound = prefix.length + Math.max(HttpInput.INITIAL_BUFFER, limit + 2) + 64;
        assertTrue(stream.position() <= bound, "read " + stream.position() + " bytes, bound " + bound);
    }
}
