package dev.weft.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class TcpCountersTest {

    private static final String SNMP = """
            Ip: Forwarding DefaultTTL
            Ip: 1 64
            Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
            Tcp: 1 200 120000 -1 100 90 3 4 12 5000 4000 40 0 7 0
            Udp: InDatagrams
            Udp: 1
            """;
    private static final String NETSTAT = """
            TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPTimeouts
            TcpExt: 0 5 6 9
            IpExt: InNoRoutes
            IpExt: 0
            """;

    @Test
    void parsesTcpAndTcpExtPairs() {
        TcpCounters c = TcpCounters.parse(SNMP, NETSTAT);
        assertEquals(100, c.get("ActiveOpens"));
        assertEquals(40, c.get("RetransSegs"));
        assertEquals(12, c.get("CurrEstab"));
        assertEquals(5, c.get("ListenOverflows"));
        assertEquals(9, c.get("TCPTimeouts"));
        assertEquals(0, c.get("NoSuchCounter"));
        assertEquals(0.01, c.retransmitRate(), 1e-9);
    }

    @Test
    void deltasAndTheirRetransmitRate() {
        TcpCounters before = TcpCounters.parse(SNMP, NETSTAT);
        TcpCounters after = TcpCounters.parse(SNMP.replace("5000 4000 40", "5100 4200 50"), NETSTAT);
        TcpCounters delta = after.minus(before);
        assertEquals(200, delta.get("OutSegs"));
        assertEquals(10, delta.get("RetransSegs"));
        assertEquals(0.05, delta.retransmitRate(), 1e-9);
        assertEquals(0.0, before.minus(before).retransmitRate());
    }

    @Test
    void opensCountWhenThisTestConnects() throws Exception {
        TcpCounters before = TcpCounters.read();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 20; i++) {
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                        Socket s = listener.accept()) {
                    c.getOutputStream().write(1);
                    s.getInputStream().read();
                }
            }
        }
        TcpCounters delta = TcpCounters.read().minus(before);
        assertTrue(delta.get("ActiveOpens") >= 20, "ActiveOpens +" + delta.get("ActiveOpens"));
        assertTrue(delta.get("PassiveOpens") >= 20, "PassiveOpens +" + delta.get("PassiveOpens"));
        assertTrue(delta.get("OutSegs") > 0);
    }

    @Test
    void binderPublishesTheCountersAsMeters() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        long before = TcpCounters.read().get("ActiveOpens");
        new TcpCountersBinder().bindTo(registry);

        double published = registry.get("weft.tcp.kernel.active.opens").functionCounter().count();

        assertTrue(published >= before, published + " < " + before);
        assertEquals(TcpCountersBinder.COUNTERS.length + 1, registry.getMeters().size());
        registry.get("weft.tcp.kernel.retrans.segs").functionCounter();
        registry.get("weft.tcp.kernel.listen.overflows").functionCounter();
        registry.get("weft.tcp.kernel.lost.retransmit").functionCounter();
        assertTrue(registry.get("weft.tcp.kernel.curr.estab").gauge().value() >= 0);
    }

    @Test
    void meterNamesAreDottedLowerCase() {
        assertEquals("retrans.segs", TcpCountersBinder.meterName("RetransSegs"));
        assertEquals("abort.on.timeout", TcpCountersBinder.meterName("TCPAbortOnTimeout"));
        assertEquals("listen.overflows", TcpCountersBinder.meterName("ListenOverflows"));
    }
}
