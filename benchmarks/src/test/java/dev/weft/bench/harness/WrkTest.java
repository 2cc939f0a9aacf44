package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.bench.Loopback;
import dev.weft.bench.load.LoadResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** wrk's report, as wrk 4.x prints it with --latency, read into a LoadResult; and wrk through a forward proxy. */
@Timeout(60)
class WrkTest {

    private static final String CLEAN = """
            Running 8s test @ http://127.0.0.1:40000/hello
              2 threads and 10000 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   180.02ms   35.10ms   1.20s    88.00%
                Req/Sec    27.50k     3.10k   35.00k    70.00%
              Latency Distribution
                 50%  175.50ms
                 75%  190.00ms
                 90%  210.00ms
                 99%  350.25ms
              437568 requests in 8.10s, 50.90MB read
            Requests/sec:  54020.74
            Transfer/sec:      6.28MB
            """;

    @Test
    void readsRateLatenciesAndCounts() throws IOException {
        LoadResult r = Wrk.parse(CLEAN, 10_000);
        assertEquals(54_020.74, r.msgsPerSec(), 0.001);
        assertEquals(437_568, r.messages());
        assertEquals(8.10, r.seconds(), 1e-9);
        assertEquals(175_500, r.p50Us(), 1e-6);
        assertEquals(350_250, r.p99Us(), 1e-6);
        assertEquals(1_200_000, r.maxUs(), 1e-6);
        assertTrue(Double.isNaN(r.p999Us()), "wrk prints no p99.9");
        assertEquals(0, r.errors() + r.timeouts() + r.connectErrors());
    }

    @Test
    void countsSocketErrorsTimeoutsAndBadStatuses() throws IOException {
        String out = CLEAN.replace("Requests/sec:", """
                  Socket errors: connect 12, read 3, write 4, timeout 950
                  Non-2xx or 3xx responses: 7
                Requests/sec:""").replace("   99%  350.25ms", "   99%    1.50s");
        LoadResult r = Wrk.parse(out, 10_000);
        assertEquals(12, r.connectErrors());
        assertEquals(3 + 4 + 7, r.errors());
        assertEquals(950, r.timeouts());
        assertEquals(1_500_000, r.p99Us(), 1e-6);
    }

    @Test
    void throughAForwardProxyWrkSendsAbsoluteFormRequestsToTheProxy(@TempDir Path dir) throws Exception {
        assumeTrue(Wrk.installed(), "wrk is not installed");
        // A stand-in proxy that records the request heads it gets and answers each 200.
        List<String> heads = new CopyOnWriteArrayList<>();
        try (ServerSocket proxy = new ServerSocket(0, 50, Loopback.address());
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            pool.submit(() -> {
                while (!proxy.isClosed()) {
                    Socket s = proxy.accept();
                    pool.submit(() -> answer(s, heads));
                }
                return null;
            });
            LoadResult r = Wrk.throughProxy(proxy.getLocalPort(), 40_123, 2, Duration.ofSeconds(1),
                    dir.resolve("forward.lua"), dir.resolve("wrk.log"));
            assertTrue(r.messages() > 0, "wrk completed requests");
            assertEquals(0, r.errors() + r.timeouts());
            assertTrue(Files.readString(dir.resolve("forward.lua")).contains("http://127.0.0.1:40123/hello"));
            proxy.close(); // ends the accept loop, so that the pool's close does not wait for it
        }
        assertFalse(heads.isEmpty());
        for (String head : heads) {
            assertTrue(head.startsWith("GET http://127.0.0.1:40123/hello HTTP/1.1\r\n"), head);
            assertTrue(head.contains("\r\nHost: 127.0.0.1:40123\r\n"), head);
        }
    }

    /** Reads request heads on {@code s}, records each, answers each with a 200 of two bytes. */
    private static Void answer(Socket s, List<String> heads) throws IOException {
        try (s) {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            for (int b; (b = in.read()) >= 0; ) {
                head.append((char) b);
                if (head.toString().endsWith("\r\n\r\n")) {
                    heads.add(head.toString());
                    head.setLength(0);
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                }
            }
        } catch (IOException closed) {
            // wrk closed the connection at its end.
        }
        return null;
    }

    @Test
    void aReportWithoutFiguresIsAnError() {
        IOException e = assertThrows(IOException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:1", 10));
        assertTrue(e.getMessage().contains("unable to connect"), e.getMessage());
    }
}
