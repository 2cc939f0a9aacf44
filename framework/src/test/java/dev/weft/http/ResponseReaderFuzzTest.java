package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of {@link ResponseReader} as Weft's client and proxies use it: up to
 * {@value #RESPONSES} responses on one connection, each {@link ResponseReader#readHead()} and then
 * {@link ResponseReader#body} read to its end, for a request method the input picks. A normal
 * {@code mvn test} replays
 * {@code src/test/resources/dev/weft/http/ResponseReaderFuzzTestInputs/response/}; {@code ./weft fuzz}
 * fuzzes (CONTRIBUTING.md, "Fuzzing").
 *
 * <p>The invariant: heads and bodies, possibly followed by a documented refusal (502 for the status
 * line and Content-Length, 400 and 431 from the header and chunk parsers, 413 over the body limit),
 * nothing else; a status 100..999 (three digits, RFC 9110 section 15: below 100 is invalid, and the
 * proxy relays the status to its client); at most {@code maxHeaderCount} fields in
 * {@code maxHeaderSize}; a body of exactly its {@code Content-Length}, none where RFC 9112 section 6.3
 * says none, never longer than the input; and the same bytes cut into other reads read the same.
 */
class ResponseReaderFuzzTest {

    /** Small, so that fuzzed inputs reach every limit often. */
    static final HttpLimits LIMITS = HttpLimits.DEFAULTS
            .withMaxRequestLineLength(40)
            .withMaxHeaderSize(96)
            .withMaxHeaderCount(4)
            .withMaxBodySize(64)
            .withMaxChunkExtensionSize(16)
            .withMaxTrailerSize(32);

    static final int RESPONSES = 3;

    private static final Set<Integer> STATUSES = Set.of(400, 413, 431, 502);
    private static final String[] METHODS = {"GET", "HEAD", "POST", "CONNECT"};

    @FuzzTest(maxDuration = "2m")
    @DictionaryFile(resourcePath = "http.dict")
    void response(byte[] raw) throws IOException {
        String method = METHODS[Math.floorMod(Arrays.hashCode(raw), METHODS.length)];
        List<String> whole = read(raw, method, Delivery.WHOLE);
        Delivery[] others = Arrays.copyOfRange(Delivery.values(), 1, Delivery.values().length);
        Delivery cut = others[Math.floorMod(Arrays.hashCode(raw) / METHODS.length, others.length)];
        assertEquals(whole, read(raw, method, cut), "read otherwise when delivered " + cut);
    }

    /** Reads the responses, checking each; returns them as text, then "end" or "refused". */
    private static List<String> read(byte[] raw, String method, Delivery delivery) throws IOException {
        ResponseReader reader = new ResponseReader(delivery.stream(raw), LIMITS);
        List<String> read = new ArrayList<>();
        long bodies = 0;
        try {
            for (int i = 0; i < RESPONSES; i++) {
                ResponseHead head = reader.readHead();
                if (head == null) {
                    break;
                }
                check(head);
                long declared = ResponseReader.declaredLength(method, head);
                boolean untilClose = ResponseReader.endsAtClose(method, head);
                byte[] body = readAll(reader.body(method, head), delivery.bodyReadSize());
                bodies += body.length;
                if (declared >= 0) {
                    assertEquals(declared, body.length, "a body other than its Content-Length");
                }
                boolean none = method.equals("HEAD") || head.isInterim() || head.status() == 204
                        || head.status() == 304 || method.equals("CONNECT") && head.status() / 100 == 2;
                if (none) {
                    assertEquals(0, body.length, () -> "a body after " + method + " and " + head.status());
                }
                read.add(head + "\n" + new String(body, StandardCharsets.ISO_8859_1));
                if (untilClose || head.status() == 101) {
                    break;
                }
            }
        } catch (HttpException e) {
            FuzzChecks.refusal(e, STATUSES);
            read.add("refused");
            return read;
        }
        long total = bodies;
        assertTrue(total <= raw.length, () -> "bodies of " + total + " bytes from " + raw.length);
        read.add("end");
        return read;
    }

    private static void check(ResponseHead head) {
        assertTrue(head.version().equals("HTTP/1.1") || head.version().equals("HTTP/1.0"), head.version());
        assertTrue(head.status() >= 100 && head.status() <= 999, () -> "status " + head.status());
        int statusLine = "HTTP/1.1 200".length() + (head.reason().isEmpty() ? 0 : 1 + head.reason().length());
        assertTrue(statusLine <= LIMITS.maxRequestLineLength(), () -> "a status line of " + statusLine);
        Headers headers = head.headers();
        assertTrue(headers.size() <= LIMITS.maxHeaderCount(), () -> headers.size() + " header fields");
        int headerBytes = FuzzChecks.fields(headers);
        assertTrue(headerBytes <= LIMITS.maxHeaderSize(), () -> "header fields of at least " + headerBytes + " bytes");
    }

    private static byte[] readAll(InputStream body, int readSize) throws IOException {
        if (readSize > 0) {
            return body.readAllBytes();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b; (b = body.read()) >= 0; ) {
            out.write(b);
        }
        return out.toByteArray();
    }
}
