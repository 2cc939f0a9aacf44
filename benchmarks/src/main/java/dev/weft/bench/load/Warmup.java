package dev.weft.bench.load;

import dev.weft.bench.Loopback;
import dev.weft.bench.servers.Protocol;
import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * Exercises a server before its baseline is taken, so that one-time costs (class loading, socket
 * pollers, JIT-compiled code) count in the baseline and not per connection: batches of connections
 * are opened, do a few checked round trips and close, until the accept and read paths are
 * compiled. That also steadies the figures: a parked virtual thread's stack is copied to the heap,
 * and interpreted frames take more room there than compiled ones. Every server gets the same
 * warm-up ({@link #forward}: every forward proxy the same, with one request per connection).
 * Bounded in count and time; the connections end with a reset, leaving no TIME_WAIT.
 */
public final class Warmup {

    private static final int BATCHES = 120;
    private static final int BATCH = 32;
    private static final int ROUNDS = 5;
    private static final int MESSAGE = 64;
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private Warmup() {
    }

    /** What the warm-up does, for reports. */
    public static String description() {
        return String.format("%,d connections in batches of %d, %d round trips each, before the baseline",
                BATCHES * BATCH, BATCH, ROUNDS);
    }

    /**
     * Warms up the {@code protocol} server on 127.0.0.1:{@code port}.
     *
     * @throws IOException if a connection fails, a reply is wrong, or it takes longer than 30 s
     */
    public static void run(Protocol protocol, int port) throws IOException {
        LoadOptions options = LoadOptions.parse(new String[] {"--port", String.valueOf(port),
                "--protocol", protocol.name(), "--payload", String.valueOf(MESSAGE)});
        run(port, ROUNDS, (i, socket) -> Exchange.of(options, i, socket));
    }

    /**
     * Warms up the forward proxy on 127.0.0.1:{@code proxyPort} with {@code GET
     * http://127.0.0.1:BACKEND/hello} (or, for {@code backendPort} 0, the server on
     * {@code proxyPort} with {@code GET /hello}): the same batches of connections, one checked
     * request each, since tinyproxy closes every connection after one response.
     *
     * @throws IOException if a connection fails, a reply is wrong, or it takes longer than 30 s
     */
    public static void forward(int proxyPort, int backendPort) throws IOException {
        String authority = "127.0.0.1:" + backendPort;
        byte[] request = backendPort == 0 ? Protocol.HELLO_REQUEST
                : ("GET http://" + authority + "/hello HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        run(proxyPort, 1, (i, socket) -> new Exchange.Http(socket, request));
    }

    /** How a warm-up connection exchanges messages. */
    private interface Exchanges {
        Exchange on(int conn, Socket socket) throws IOException;
    }

    private static void run(int port, int rounds, Exchanges exchange) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        for (int batch = 0; batch < BATCHES; batch++) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the warm-up took longer than " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NANOS)
                        + " s");
            }
            Socket[] sockets = new Socket[BATCH];
            try {
                Exchange[] exchanges = new Exchange[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    sockets[i] = new Socket(Loopback.address(), port);
                    sockets[i].setTcpNoDelay(true);
                    sockets[i].setSoTimeout((int) TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NANOS));
                    exchanges[i] = exchange.on(i, sockets[i]);
                }
                for (int round = 0; round < rounds; round++) {
                    for (Exchange e : exchanges) {
                        e.roundTrip(round);
                    }
                }
            } finally {
                for (Socket s : sockets) {
                    if (s != null) {
                        ConnectionRamp.abort(s); // no TIME_WAIT left behind
                    }
                }
            }
        }
    }
}
