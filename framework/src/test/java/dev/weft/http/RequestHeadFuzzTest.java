package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.http.RequestHead.TargetForm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the request parsers the way a connection drives them
 * ({@link RequestFixture}): {@link RequestHeadParser}, {@link BodyFraming}, then the body, then the
 * next request, over any bytes. A normal {@code mvn test} replays the committed inputs in
 * {@code src/test/resources/dev/weft/http/RequestHeadFuzzTestInputs/requestHead/}; {@code ./weft fuzz}
 * fuzzes (CONTRIBUTING.md, "Fuzzing").
 *
 * <p>The invariant: the bytes parse into requests, possibly followed by a documented refusal, and
 * nothing else escapes; every parsed request stays within {@link #LIMITS}; the buffer never grows
 * past the longest line the limits allow; and the same bytes cut into other reads (a
 * {@link Delivery} picked by the input) parse into the same requests.
 */
class RequestHeadFuzzTest {

    /** Small, so that fuzzed inputs reach every limit often. */
    static final HttpLimits LIMITS = HttpLimits.DEFAULTS
            .withMaxRequestLineLength(48)
            .withMaxHeaderSize(96)
            .withMaxHeaderCount(4)
            .withMaxBodySize(32)
            .withMaxChunkExtensionSize(16)
            .withMaxTrailerSize(32);

    /** RequestHeadParser (400, 414, 505), HeaderParser (400, 431), BodyFraming (400, 501), chunked (400, 413, 431). */
    private static final Set<Integer> STATUSES = Set.of(400, 413, 414, 431, 501, 505);

    @FuzzTest(maxDuration = "2m")
    @DictionaryFile(resourcePath = "http.dict")
    void requestHead(byte[] raw) throws IOException {
        List<String> whole = parse(raw, Delivery.WHOLE);
        Delivery[] others = Arrays.copyOfRange(Delivery.values(), 1, Delivery.values().length);
        Delivery cut = others[Math.floorMod(Arrays.hashCode(raw), others.length)];
        List<String> again = parse(raw, cut);
        assertEquals(whole, again, "parsed otherwise when delivered " + cut);
    }

    /**
     * Parses every request in {@code raw} and checks the invariant; returns each request as text and,
     * last, whether a refusal ended the bytes (its status may depend on where the reads ended: an
     * over-long line with a bare LF is a 400 when the LF is in the buffer, else a 414 or 431).
     */
    private static List<String> parse(byte[] raw, Delivery delivery) throws IOException {
        HttpInput in = delivery.open(raw);
        RequestFixture.Outcome outcome = RequestFixture.parseAll(in, LIMITS, delivery.bodyReadSize());
        if (outcome.error() != null) {
            FuzzChecks.refusal(outcome.error(), STATUSES);
        }
        long bytes = 0;
        for (ParsedRequest r : outcome.requests()) {
            bytes += check(r);
        }
        long total = bytes;
        assertTrue(total <= raw.length, () -> "parsed " + total + " bytes out of " + raw.length);
        int longestLine = Math.max(Math.max(LIMITS.maxRequestLineLength(), LIMITS.maxChunkExtensionSize()) + 2,
                Math.max(LIMITS.maxHeaderSize(), LIMITS.maxTrailerSize()));
        int bound = Math.max(delivery.initialBuffer(), longestLine);
        assertTrue(in.buffer().length <= bound, () -> "buffer grew to " + in.buffer().length + ", bound " + bound);
        List<String> parsed = new ArrayList<>();
        outcome.requests().forEach(r -> parsed.add(describe(r)));
        parsed.add(outcome.error() == null ? "end" : "refused");
        return parsed;
    }

    /** Checks one parsed request; returns the least number of bytes it took on the wire. */
    private static long check(ParsedRequest r) {
        RequestHead head = r.head();
        String method = head.method();
        String target = head.target();
        assertTrue(Tokens.isToken(method), () -> "method is not a token: " + method);
        assertTrue(head.version().equals("HTTP/1.1") || head.version().equals("HTTP/1.0"), head.version());
        int requestLine = method.length() + 1 + target.length() + 1 + head.version().length();
        assertTrue(requestLine <= LIMITS.maxRequestLineLength(), () -> "request line of " + requestLine + " bytes");
        assertTrue(!target.isEmpty() && target.chars().allMatch(c -> Tokens.isTargetChar((char) c)), target);
        TargetForm form = head.form();
        assertEquals(method.equals("CONNECT"), form == TargetForm.AUTHORITY, () -> method + " " + target);
        switch (form) {
            case ORIGIN -> assertTrue(target.startsWith("/"), target);
            case ABSOLUTE -> assertTrue(target.indexOf("://") > 0, target);
            case ASTERISK -> assertTrue(method.equals("OPTIONS") && target.equals("*"), target);
            case AUTHORITY -> assertTrue(RequestHeadParser.isAuthority(target), target);
            default -> throw new AssertionError(form);
        }

        Headers headers = head.headers();
        assertTrue(headers.size() <= LIMITS.maxHeaderCount(), () -> headers.size() + " header fields");
        int headerBytes = FuzzChecks.fields(headers);
        assertTrue(headerBytes <= LIMITS.maxHeaderSize(), () -> "header fields of at least " + headerBytes + " bytes");
        int hosts = headers.count("Host");
        assertTrue(hosts == 1 || hosts == 0 && !head.isHttp11(), () -> hosts + " Host fields in " + head.version());

        BodyFraming framing = r.framing();
        if (framing.chunked()) {
            assertTrue(r.body().length <= LIMITS.maxBodySize(), () -> "chunked body of " + r.body().length);
            assertTrue(r.trailers().size() <= LIMITS.maxHeaderCount(), () -> r.trailers().size() + " trailers");
            int trailerBytes = FuzzChecks.fields(r.trailers());
            assertTrue(trailerBytes <= LIMITS.maxTrailerSize(), () -> "trailers of at least " + trailerBytes + " bytes");
            assertTrue(headers.contains("Transfer-Encoding") && !headers.contains("Content-Length"),
                    () -> "chunked framing from\n" + headers);
            return requestLine + 2L + headerBytes + 2 + r.body().length + 5 + trailerBytes;
        }
        assertEquals(framing.length(), r.body().length, "fixed-length body");
        assertEquals(0, r.trailers().size(), "trailers without chunked");
        return requestLine + 2L + headerBytes + 2 + r.body().length;
    }

    private static String describe(ParsedRequest r) {
        return r.head().method() + " " + r.head().target() + " " + r.head().version() + " " + r.head().form()
                + "\n" + r.head().headers() + r.framing() + "\n" + new String(r.body(), StandardCharsets.ISO_8859_1)
                + "\n" + r.trailers();
    }
}
