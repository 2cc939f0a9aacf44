package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;

/**
 * Coverage-guided fuzzing of {@link ChunkedInputStream} alone: the bytes after a request head that
 * said {@code Transfer-Encoding: chunked}, decoded to their end. A normal {@code mvn test} replays
 * {@code src/test/resources/dev/weft/http/ChunkedBodyFuzzTestInputs/chunkedBody/}; {@code ./weft fuzz}
 * fuzzes (CONTRIBUTING.md, "Fuzzing").
 *
 * <p>The invariant: a decoded body or a documented refusal (400, 413, 431), nothing else; a body
 * never longer than {@code maxBodySize} nor than its input; at most {@code maxHeaderCount} trailers
 * within {@code maxTrailerSize}; the stream stays ended once ended; the decoder stops exactly after
 * the final CRLF (the next request's bytes stay unread); and the same bytes cut into other reads
 * decode to the same body, trailers and end.
 */
class ChunkedBodyFuzzTest {

    /** Small, so that fuzzed inputs reach every limit often. */
    static final HttpLimits LIMITS = HttpLimits.DEFAULTS
            .withMaxHeaderCount(3)
            .withMaxBodySize(64)
            .withMaxChunkExtensionSize(16)
            .withMaxTrailerSize(32);

    private static final Set<Integer> STATUSES = Set.of(400, 413, 431);

    /** What decoding gave: the body, trailers and bytes consumed, or only that it was refused. */
    private record Decoded(byte[] body, String trailers, int consumed, boolean refused) {

        @Override
        public boolean equals(Object o) {
            return o instanceof Decoded d && refused == d.refused
                    && (refused || Arrays.equals(body, d.body) && trailers.equals(d.trailers) && consumed == d.consumed);
        }

        @Override
        public int hashCode() {
            return Boolean.hashCode(refused);
        }

        @Override
        public String toString() {
            return refused ? "refused" : "body " + Arrays.toString(body) + ", trailers " + trailers + ", consumed " + consumed;
        }
    }

    @FuzzTest(maxDuration = "2m")
    @DictionaryFile(resourcePath = "http.dict")
    void chunkedBody(byte[] raw) throws IOException {
        Decoded whole = decode(raw, Delivery.WHOLE);
        Delivery[] others = Arrays.copyOfRange(Delivery.values(), 1, Delivery.values().length);
        Delivery cut = others[Math.floorMod(Arrays.hashCode(raw), others.length)];
        assertEquals(whole, decode(raw, cut), "decoded otherwise when delivered " + cut);
    }

    private static Decoded decode(byte[] raw, Delivery delivery) throws IOException {
        HttpInput in = delivery.open(raw);
        ChunkedInputStream body = new ChunkedInputStream(in, LIMITS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            drain(body, out, delivery.bodyReadSize());
        } catch (HttpException e) {
            FuzzChecks.refusal(e, STATUSES);
            assertTrue(out.size() <= LIMITS.maxBodySize(), () -> "read " + out.size() + " bytes before the refusal");
            return new Decoded(null, null, -1, true);
        }
        byte[] decoded = out.toByteArray();
        assertTrue(body.isComplete(), "the stream ended before the last chunk");
        assertEquals(-1, body.read(), "data after the end");
        assertEquals(-1, body.read(new byte[3], 0, 3), "data after the end");
        assertTrue(decoded.length <= LIMITS.maxBodySize(), () -> "a body of " + decoded.length + " bytes");
        Headers trailers = body.trailers();
        assertTrue(trailers.size() <= LIMITS.maxHeaderCount(), () -> trailers.size() + " trailers");
        int trailerBytes = FuzzChecks.fields(trailers);
        assertTrue(trailerBytes <= LIMITS.maxTrailerSize(), () -> "trailers of at least " + trailerBytes + " bytes");

        // The rest is the next request's: unread, and the decoder stopped right after a CRLF.
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        byte[] buf = new byte[64];
        for (int n; (n = in.read(buf, 0, buf.length)) > 0; ) {
            rest.write(buf, 0, n);
        }
        int consumed = raw.length - rest.size();
        assertArrayEquals(Arrays.copyOfRange(raw, consumed, raw.length), rest.toByteArray(), "the bytes after the body");
        assertTrue(consumed >= decoded.length + "0\r\n\r\n".length() + trailerBytes,
                () -> "consumed " + consumed + " bytes for a body of " + decoded.length);
        assertTrue(raw[consumed - 2] == '\r' && raw[consumed - 1] == '\n', "the body did not end in CRLF");
        return new Decoded(decoded, trailers.toString(), consumed, false);
    }

    private static void drain(ChunkedInputStream body, ByteArrayOutputStream out, int readSize) throws IOException {
        if (readSize == 0) {
            for (int b; (b = body.read()) >= 0; ) {
                out.write(b);
            }
            return;
        }
        byte[] buf = new byte[readSize];
        for (int n; (n = body.read(buf, 0, buf.length)) >= 0; ) {
            assertTrue(n > 0, "a read returned 0 bytes");
            out.write(buf, 0, n);
        }
    }
}
