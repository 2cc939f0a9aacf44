package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The line reader under the parsers: lines that straddle refills, a buffer that starts tiny and
 * grows, the exact length limit, and body bytes handed out buffered ones first.
 */
class HttpInputTest {

    private static final HttpException TOO_LONG = HttpException.closing(414, "too long");
    private static final List<Integer> LENGTHS = List.of(0, 1, 15, 16, 17, 1023, 1024, 1025, 2047, 2048, 3000, 0);

    @ParameterizedTest(name = "initial buffer {0}, up to {1} bytes per read")
    @CsvSource({"1, 1", "1, 7", "16, 1", "16, 5", "16, 4096", "1024, 3"})
    void linesStraddleRefillsWhileATinyBufferGrows(int initialBuffer, int maxFragment) throws IOException {
        StringBuilder raw = new StringBuilder();
        for (int i = 0; i < LENGTHS.size(); i++) {
            raw.append(line(LENGTHS.get(i), (char) ('a' + i))).append("\r\n");
        }
        HttpInput in = new HttpInput(new FragmentingInputStream(bytes(raw.toString()), maxFragment, initialBuffer),
                initialBuffer);

        for (int i = 0; i < LENGTHS.size(); i++) {
            assertEquals(line(LENGTHS.get(i), (char) ('a' + i)), in.readLine(5000, () -> TOO_LONG), "line " + i);
        }
        assertNull(in.readLine(5000, () -> TOO_LONG));
    }

    @ParameterizedTest(name = "initial buffer {0}")
    @ValueSource(ints = {1, 10, 11, 12, 13, 1024})
    void aLineOfExactlyMaxLengthPassesAndOneMoreFails(int initialBuffer) throws IOException {
        for (int maxFragment : new int[] {1, 3, 100}) {
            HttpInput in = new HttpInput(new FragmentingInputStream(bytes("0123456789\r\n0123456789A\r\n"),
                    maxFragment, 7), initialBuffer);
            assertEquals("0123456789", in.readLine(10, () -> TOO_LONG));
            assertSame(TOO_LONG, assertThrows(HttpException.class, () -> in.readLine(10, () -> TOO_LONG)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /", "GET /\r", "\r"})
    void aStreamEndingInsideALineIs400(String raw) {
        HttpInput in = new HttpInput(FragmentingInputStream.oneBytePerRead(bytes(raw)), 4);
        HttpException e = assertThrows(HttpException.class, () -> in.readLine(100, () -> TOO_LONG));
        assertEquals(400, e.status());
        assertTrue(e.closesConnection());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\rb\r\n", "\ra\r\n", "a\r\r\n", "\r\r\n"})
    void aBareCrInsideALineIs400(String raw) {
        for (int maxFragment : new int[] {1, 2, 100}) {
            HttpInput in = new HttpInput(new FragmentingInputStream(bytes(raw), maxFragment, 5), 2);
            HttpException e = assertThrows(HttpException.class, () -> in.readLine(100, () -> TOO_LONG));
            assertEquals(400, e.status());
            assertTrue(e.closesConnection());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\n", "\n", "a\n\r\n"})
    void aBareLfEndingALineIs400(String raw) {
        HttpInput in = new HttpInput(FragmentingInputStream.oneBytePerRead(bytes(raw)), 2);
        HttpException e = assertThrows(HttpException.class, () -> in.readLine(100, () -> TOO_LONG));
        assertEquals(400, e.status());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 1024})
    void bodyBytesComeFromTheBufferFirstThenTheStream(int maxFragment) throws IOException {
        byte[] raw = bytes("line\r\nbody bytes after the line");
        FragmentingInputStream stream = new FragmentingInputStream(raw, maxFragment, 3);
        HttpInput in = new HttpInput(stream, 1);
        assertEquals("line", in.readLine(100, () -> TOO_LONG));

        StringBuilder body = new StringBuilder();
        body.append((char) in.read());
        byte[] buf = new byte[4];
        int n;
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
            body.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        assertEquals("body bytes after the line", body.toString());
        assertEquals(-1, in.read());
        assertEquals(raw.length, stream.position());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16})
    void hasBufferedSeesAPipelinedRequestThatCameInTheSameRead(int initialBuffer) throws IOException {
        HttpInput in = new HttpInput(new FragmentingInputStream(bytes("a\r\nbc\r\n"), Integer.MAX_VALUE, 1),
                initialBuffer);
        assertEquals("a", in.readLine(100, () -> TOO_LONG));
        assertTrue(in.hasBuffered());
        assertEquals(4, in.available());
        assertEquals("bc", in.readLine(100, () -> TOO_LONG));
        assertFalse(in.hasBuffered());
        assertEquals(0, in.available());
    }

    private static String line(int length, char c) {
        return String.valueOf(c).repeat(length);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
