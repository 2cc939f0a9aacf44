package dev.weft.examples;

import dev.weft.tcp.Connection;
import dev.weft.tcp.ServerOptions;
import dev.weft.tcp.TcpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The case study's C10K echo server: every chunk read (up to 1024 bytes) is answered with
 * {@code "Echo: "} and the chunk; {@code --raw} echoes the bytes unchanged (for load tests). The
 * handlers are static and thread-safe (the benchmarks use them too); an instance is the {@code echo}
 * subcommand, its fields set by picocli from the command line.
 *
 * <pre>./weft echo [--port 8888] [--raw] [--max-connections 10000]</pre>
 */
@Command(name = "echo",
        description = {"The case study's echo server: answers each chunk with \"Echo: \" + chunk (--raw: unchanged).",
            "Runs until Ctrl-C, which lets in-flight echoes finish."})
public final class EchoServer implements Callable<Integer> {

    static final byte[] PREFIX = "Echo: ".getBytes(StandardCharsets.US_ASCII);
    static final int CHUNK = 1024;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8888", converter = CliTypes.Port.class,
            description = "Port to listen on, 0 for a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--raw", description = "Echo the bytes unchanged, without the \"Echo: \" prefix.")
    boolean raw;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "10000", converter = CliTypes.Positive.class,
            description = "Connections served at once; more wait in the listen backlog (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    /** Replies to each chunk with "Echo: " + chunk, in one write. */
    public static void echoWithPrefix(Connection conn) throws IOException {
        byte[] buf = new byte[PREFIX.length + CHUNK];
        System.arraycopy(PREFIX, 0, buf, 0, PREFIX.length);
        InputStream in = conn.in();
        OutputStream out = conn.out();
        for (int n; (n = in.read(buf, PREFIX.length, CHUNK)) > 0; ) {
            out.write(buf, 0, PREFIX.length + n);
        }
    }

    /**
     * Sends every byte back unchanged. The buffer starts small and doubles (to 16 KiB) only when a
     * read fills it: most of 10,000 idle connections never need more than a few hundred bytes.
     */
    public static void echoRaw(Connection conn) throws IOException {
        byte[] buf = new byte[256];
        InputStream in = conn.in();
        OutputStream out = conn.out();
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
            if (n == buf.length && buf.length < 16 * 1024) {
                buf = new byte[buf.length * 2];
            }
        }
    }

    /**
     * {@link #echoRaw}, handing the connection back after each reply that emptied the socket
     * ({@link Connection#continueWhenReadable}): on the epoll transport no thread waits between
     * messages, so an idle connection holds no stack; elsewhere it reads on like {@code echoRaw}.
     */
    public static void echoPerMessage(Connection conn) throws IOException {
        byte[] buf = new byte[256];
        InputStream in = conn.in();
        OutputStream out = conn.out();
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
            if (n < buf.length) {
                if (conn.continueWhenReadable(ServerOptions.DEFAULT_IDLE_TIMEOUT, EchoServer::echoPerMessage)) {
                    return;
                }
            } else if (buf.length < 16 * 1024) {
                buf = new byte[buf.length * 2];
            }
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        TcpServer server = TcpServer.builder()
                .name("echo")
                .port(port)
                .maxConnections(maxConnections)
                .clientSpeaksFirst(ServerOptions.DEFAULT_IDLE_TIMEOUT) // echo clients write first
                .handler(raw ? EchoServer::echoRaw : EchoServer::echoWithPrefix)
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.printf("echo server (%s) listening on port %d; Ctrl-C stops it%n",
                raw ? "raw" : "\"Echo: \" prefix", server.port());
        server.awaitClose();
        return 0;
    }
}
