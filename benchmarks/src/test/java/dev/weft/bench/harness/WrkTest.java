package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.load.LoadResult;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** wrk's report, as wrk 4.x prints it with --latency, read into a LoadResult. */
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
    void aReportWithoutFiguresIsAnError() {
        IOException e = assertThrows(IOException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:1", 10));
        assertTrue(e.getMessage().contains("unable to connect"), e.getMessage());
    }
}
