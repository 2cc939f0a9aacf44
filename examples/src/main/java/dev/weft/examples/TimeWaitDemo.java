package dev.weft.examples;

import dev.weft.client.ClientRequest;
import dev.weft.client.ClientResponse;
import dev.weft.client.ConnectionPool;
import dev.weft.client.HttpClient;
import dev.weft.client.PoolOptions;
import dev.weft.diag.SocketTable;
import dev.weft.diag.TcpState;
import dev.weft.dns.Resolver;
import dev.weft.http.HttpServer;
import dev.weft.http.ResponseHead;
import dev.weft.http.ResponseReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The TIME_WAIT case study, measured: N requests to a local HTTP server with a new connection each
 * (the client closes first, so each one leaves a TIME_WAIT socket for 60 s), then N requests
 * through the connection pool with keep-alive. Prints requests/s and the TIME_WAIT count on the
 * server's port before and after each run. An instance is the {@code timewait-demo} subcommand.
 *
 * <pre>./weft timewait-demo [--requests 20000] [--concurrency 8]</pre>
 */
@Command(name = "timewait-demo",
        description = {"Connection per request vs the pool with keep-alive: req/s and TIME_WAIT sockets.",
            "Both runs go to a Weft HTTP server of its own on 127.0.0.1."})
public final class TimeWaitDemo implements Callable<Integer> {

    /** One run: how many requests, how long, and TIME_WAIT sockets on the server's port before and after. */
    record Run(String name, int requests, long nanos, long timeWaitBefore, long timeWaitAfter, long connections) {
        double perSecond() {
            return requests * 1e9 / nanos;
        }
    }

    private static final byte[] REQUEST = "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    @Option(names = "--requests", paramLabel = "N", defaultValue = "20000", converter = CliTypes.Positive.class,
            description = "Requests in each run (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8", converter = CliTypes.Positive.class,
            description = "Requests in flight at once, and the pool's size (default: ${DEFAULT-VALUE}).")
    int concurrency;

    static Run connectPerRequest(int requests, int concurrency) throws Exception {
        try (HttpServer server = server()) {
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
            long before = timeWait(server.port());
            long start = System.nanoTime();
            parallel(requests, concurrency, () -> {
                try (Socket socket = new Socket()) {
                    socket.connect(target, 3_000);
                    socket.getOutputStream().write(REQUEST);
                    readResponse(socket.getInputStream());
                } // closed here, before the server closes: TIME_WAIT stays on this side
            });
            long nanos = System.nanoTime() - start;
            return new Run("connect per request", requests, nanos, before, timeWait(server.port()), requests);
        }
    }

    static Run pooled(int requests, int concurrency) throws Exception {
        try (HttpServer server = server()) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            long before = timeWait(server.port());
            long start = System.nanoTime();
            long nanos;
            long opened;
            try (ConnectionPool pool = new ConnectionPool("timewait-demo",
                    PoolOptions.DEFAULTS.withMaxPerEndpoint(concurrency), Resolver.system(), registry)) {
                HttpClient client = new HttpClient(pool);
                URI uri = URI.create("http://127.0.0.1:" + server.port() + "/hello");
                parallel(requests, concurrency, () -> {
                    try (ClientResponse r = client.send(ClientRequest.get(uri))) {
                        r.bodyAsString();
                    }
                });
                nanos = System.nanoTime() - start;
                opened = (long) registry.get("weft.pool.connections.created").counter().count();
            } // closing the pool closes its connections: this side closes first, so they are in TIME_WAIT now
            return new Run("pooled, keep-alive", requests, nanos, before, timeWait(server.port()), opened);
        }
    }

    private static HttpServer server() {
        return HttpServer.builder().name("timewait-demo").bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry())
                .get("/hello", (req, res) -> res.send("Hello, World!")).start();
    }

    private static void readResponse(InputStream in) throws IOException {
        ResponseReader reader = new ResponseReader(in);
        ResponseHead head = reader.readHead();
        if (head == null || head.status() != 200) {
            throw new IOException("unexpected response " + head);
        }
        reader.body("GET", head).readAllBytes();
    }

    /** Runs {@code task} {@code total} times on {@code threads} virtual threads. */
    private static void parallel(int total, int threads, IoTask task) throws Exception {
        AtomicInteger left = new AtomicInteger(total);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?>[] workers = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                workers[t] = pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        task.run();
                    }
                    return null;
                });
            }
            for (Future<?> f : workers) {
                f.get();
            }
        }
    }

    @FunctionalInterface
    private interface IoTask {
        void run() throws Exception;
    }

    static long timeWait(int port) {
        try {
            return SocketTable.withPort(SocketTable.read(), port).stream()
                    .filter(e -> e.state() == TcpState.TIME_WAIT).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void print(PrintStream out, Run r) {
        out.printf("%-20s %,7d requests in %5.2f s = %,8.0f req/s; %,d connections opened; "
                        + "TIME_WAIT on the server port: %,d before, %,d after%n",
                r.name(), r.requests(), r.nanos() / 1e9, r.perSecond(), r.connections(), r.timeWaitBefore(),
                r.timeWaitAfter());
    }

    @Override
    public Integer call() throws Exception {
        System.out.printf("%,d requests, %d at a time, to a local HTTP server; TIME_WAIT counted from /proc/net/tcp%n",
                requests, concurrency);
        print(System.out, connectPerRequest(requests, concurrency));
        print(System.out, pooled(requests, concurrency));
        System.out.println("(TIME_WAIT sockets last 60 s on Linux; watch them go with ./weft tcpstat)");
        return 0;
    }
}
