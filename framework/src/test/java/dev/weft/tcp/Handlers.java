package dev.weft.tcp;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/** Connection handlers the tests share. */
final class Handlers {

    private Handlers() {
    }

    /** Echoes with {@link InputStream#transferTo}, until the peer closes. */
    static ConnectionHandler echo() {
        return conn -> conn.in().transferTo(conn.out());
    }

    /** Echoes one byte at a time through {@code read()} and {@code write(int)}. */
    static ConnectionHandler byteAtATimeEcho() {
        return conn -> {
            InputStream in = conn.in();
            OutputStream out = conn.out();
            for (int b; (b = in.read()) >= 0; ) {
                out.write(b);
            }
        };
    }

    /** Echoes through a buffer of {@code size} bytes, so reads are partial. */
    static ConnectionHandler bufferedEcho(int size) {
        return conn -> {
            byte[] buffer = new byte[size];
            for (int n; (n = conn.in().read(buffer)) >= 0; ) {
                conn.out().write(buffer, 0, n);
            }
        };
    }

    /** Writes 8 KiB blocks until a write fails; the failure ends the handler. */
    static void flood(Connection conn) throws Exception {
        byte[] block = new byte[8 * 1024];
        Arrays.fill(block, (byte) 'f');
        while (true) {
            conn.out().write(block);
        }
    }
}
