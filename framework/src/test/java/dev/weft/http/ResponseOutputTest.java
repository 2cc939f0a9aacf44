package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ResponseOutput}: bytes leave in order and unchanged whatever the sizes of the writes, a
 * response that fits the buffer leaves in one write, and the buffer is gone after a release.
 */
class ResponseOutputTest {

    /** Records each write the socket would see. */
    private static final class Writes extends OutputStream {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        final List<Integer> sizes = new ArrayList<>();

        @Override
        public void write(int b) {
            all.write(b);
            sizes.add(1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            all.write(b, off, len);
            sizes.add(len);
        }
    }

    @ParameterizedTest(name = "body of {0} bytes")
    @ValueSource(ints = {0, 1, 100, 255, 256, 300, 1000, 2047, 2048, 2049, 5000})
    void aHeadAndABodyLeaveUnchangedAndInOneWriteWhenTheyFit(int bodySize) throws IOException {
        Writes socket = new Writes();
        ResponseOutput out = new ResponseOutput(socket);
        String head = "HTTP/1.1 200 OK\r\nContent-Length: " + bodySize + "\r\n\r\n";
        byte[] body = new byte[bodySize];
        for (int i = 0; i < bodySize; i++) {
            body[i] = (byte) ('a' + i % 26);
        }

        out.writeLatin1(head);
        out.write(body, 0, body.length);
        out.flushAndRelease();

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        expected.writeBytes(body);
        assertArrayEquals(expected.toByteArray(), socket.all.toByteArray());
        if (head.length() + bodySize <= ResponseOutput.BUFFER) {
            assertEquals(List.of(head.length() + bodySize), socket.sizes);
        }
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 7, 200, 257, 1500, 3000})
    void manyWritesOfOneSizeArriveInOrderAcrossReleases(int piece) throws IOException {
        Writes socket = new Writes();
        ResponseOutput out = new ResponseOutput(socket);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int n = 0;
        for (int response = 0; response < 3; response++) {
            for (int i = 0; i < 10; i++, n++) {
                String text = String.valueOf((char) ('A' + n % 26)).repeat(piece);
                if (i % 3 == 0) {
                    out.writeLatin1(text);
                } else if (i % 3 == 1) {
                    out.write(text.getBytes(StandardCharsets.ISO_8859_1), 0, piece);
                } else {
                    for (int j = 0; j < piece; j++) {
                        out.write(text.charAt(j));
                    }
                }
                expected.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
            }
            out.flushAndRelease();
            assertArrayEquals(expected.toByteArray(), socket.all.toByteArray(), "after response " + response);
        }
        socket.sizes.forEach(size -> assertEquals(true, size <= Math.max(piece, ResponseOutput.BUFFER), "write of " + size));
    }
}
