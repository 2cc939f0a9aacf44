package dev.weft.bench.jmh;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A browser-like request head (8 headers, about 450 bytes) for the parse benchmarks, and a stream
 * that replays it forever, as a keep-alive connection delivers request after request.
 */
public final class RequestBytes {

    /** The same bytes for Weft's parser and Netty's decoder. */
    public static final byte[] GET = ("GET /api/v1/orders/12345?expand=items HTTP/1.1\r\n"
            + "Host: shop.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"
            + " Safari/537.36\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Connection: keep-alive\r\n"
            + "Cookie: session=4f9a2c1e7b; theme=dark\r\n"
            + "Cache-Control: max-age=0\r\n"
            + "\r\n").getBytes(StandardCharsets.US_ASCII);

    private RequestBytes() {
    }

    /** An endless stream of {@link #GET} requests, handed out in reads of up to {@code len} bytes. */
    public static InputStream replaying() {
        return new InputStream() {
            private int pos;

            @Override
            public int read() {
                int b = GET[pos] & 0xff;
                pos = (pos + 1) % GET.length;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int n = Math.min(len, GET.length - pos);
                System.arraycopy(GET, pos, b, off, n);
                pos = (pos + n) % GET.length;
                return n;
            }
        };
    }
}
