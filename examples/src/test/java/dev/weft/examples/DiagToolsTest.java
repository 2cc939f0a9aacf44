package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.diag.TcpCounters;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** tcping, tcpstat and the TIME_WAIT demo, over real sockets on 127.0.0.1. */
class DiagToolsTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void tcpingConnectsToAListenerAndReportsTimes() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TcPing.Result r = TcPing.run(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
                    5, Duration.ofMillis(1), Duration.ofSeconds(1), out);
            assertEquals(5, r.outcomes().get(TcPing.Outcome.CONNECTED));
            assertEquals(5, r.connectMicros().size());
        }
        assertTrue(printed.toString().contains("5 probes: 5 connected"), printed.toString());
        assertTrue(printed.toString().contains("connect time min/avg/p99/max"), printed.toString());
    }

    @Test
    void tcpingClassifiesAClosedPortAsRefused() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = probe.getLocalPort();
        }
        TcPing.Result r = TcPing.run(new InetSocketAddress(InetAddress.getLoopbackAddress(), closed), 3,
                Duration.ofMillis(1), Duration.ofSeconds(1), out);
        assertEquals(3, r.outcomes().get(TcPing.Outcome.REFUSED));
        assertTrue(printed.toString().contains("3 probes: 0 connected, 3 refused"), printed.toString());
    }

    @Test
    void tcpingNeedsHostAndPort() {
        CliRun none = CliRun.of("tcping", "-c", "1");
        assertEquals(2, none.exit(), none.toString());
        assertEquals("weft tcping: missing required parameter: 'HOST:PORT' (./weft tcping --help lists its options)\n",
                none.err());
        CliRun noPort = CliRun.of("tcping", "localhost");
        assertEquals(2, noPort.exit(), noPort.toString());
        assertTrue(noPort.err().contains("expected host:port, got localhost"), noPort.toString());
    }

    @Test
    void tcpingExitsWithOneWhenNoProbeConnected() throws Exception {
        int closed;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closed = listener.getLocalPort();
            assertEquals(0, CliRun.of("tcping", "127.0.0.1:" + closed, "-c", "2", "-i", "1ms").exit());
        }
        CliRun refused = CliRun.of("tcping", "127.0.0.1:" + closed, "--count", "2", "--interval", "1ms");
        assertEquals(1, refused.exit(), refused.toString());
        assertEquals("", refused.err(), "refusals are the report, not an error");
    }

    @Test
    void tcpstatCountNeedsWatch() {
        CliRun r = CliRun.of("tcpstat", "--count", "3");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().startsWith("weft tcpstat: --count needs --watch"), r.toString());
        assertEquals(0, CliRun.of("tcpstat", "--watch", "1ms", "--count", "1").exit());
    }

    @Test
    void tcpstatShowsAListenerOnItsPortAndCounterChanges() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TcpCounters before = TcpCounters.read();
            TcpStat.report(out, listener.getLocalPort(), TcpCounters.read().minus(before));
        }
        String text = printed.toString();
        assertTrue(text.contains("sockets on port"), text);
        assertTrue(text.matches("(?s).*LISTEN\\s+1\\n.*"), text);
        assertTrue(text.contains("RetransSegs"), text);
    }

    @Test
    void timeWaitDemoLeavesTimeWaitPerConnectionButNotWithThePool() throws Exception {
        TimeWaitDemo.Run perRequest = TimeWaitDemo.connectPerRequest(400, 4);
        TimeWaitDemo.Run pooled = TimeWaitDemo.pooled(400, 4);

        // What each run added: TIME_WAIT entries of earlier connections that used the same port
        // number (the suite opens thousands) may already be there, and are in "before" too.
        long perRequestAdded = perRequest.timeWaitAfter() - perRequest.timeWaitBefore();
        long pooledAdded = pooled.timeWaitAfter() - pooled.timeWaitBefore();
        assertTrue(perRequestAdded >= 200, "TIME_WAIT added by connect-per-request: " + perRequestAdded);
        assertTrue(pooled.connections() <= 4, "pooled connections " + pooled.connections());
        assertTrue(pooledAdded <= 4, "TIME_WAIT added by the pooled run: " + pooledAdded);
    }
}
