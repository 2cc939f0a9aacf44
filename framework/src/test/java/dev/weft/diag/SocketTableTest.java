package dev.weft.diag;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SocketTableTest {

    private static final String TCP = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
               1: 0100007F:1F90 0100007F:C350 01 0000000A:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
               2: 0100007F:C351 0100007F:1F90 06 00000000:00000000 03:00001234 00000000     0        0 0 3 0
            """;
    private static final String TCP6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue
               0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000
               1: 0000000000000000FFFF00000100007F:0050 0000000000000000FFFF00000200007F:D431 08 00000000:00000000
            """;

    @Test
    void parsesIpv4LinesAsTheKernelWritesThem() {
        List<SocketEntry> entries = SocketTable.parse(TCP);
        assertEquals(3, entries.size());
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), entries.get(0).local());
        assertEquals(TcpState.LISTEN, entries.get(0).state());
        assertEquals(2, entries.get(0).receiveQueue(), "a listener's receive queue is its accept backlog");
        assertEquals(new InetSocketAddress("127.0.0.1", 50000), entries.get(1).remote());
        assertEquals(TcpState.ESTABLISHED, entries.get(1).state());
        assertEquals(10, entries.get(1).sendQueue());
        assertEquals(TcpState.TIME_WAIT, entries.get(2).state());
        assertEquals(50001, entries.get(2).local().getPort());
    }

    @Test
    void parsesIpv6IncludingMappedAddresses() throws Exception {
        List<SocketEntry> entries = SocketTable.parse(TCP6);
        assertEquals(InetAddress.getByName("::1"), entries.get(0).local().getAddress());
        assertEquals(80, entries.get(0).local().getPort());
        // ::ffff:127.0.0.2 — Java folds IPv4-mapped addresses to their IPv4 form.
        assertEquals(InetAddress.getByName("127.0.0.2"), entries.get(1).remote().getAddress());
        assertEquals(TcpState.CLOSE_WAIT, entries.get(1).state());
    }

    @Test
    void histogramCountsEveryStateAndPortFilterMatchesEitherSide() {
        List<SocketEntry> entries = SocketTable.parse(TCP);
        Map<TcpState, Integer> h = SocketTable.histogram(entries);
        assertEquals(1, h.get(TcpState.LISTEN));
        assertEquals(1, h.get(TcpState.TIME_WAIT));
        assertEquals(0, h.get(TcpState.SYN_SENT));
        assertEquals(3, SocketTable.withPort(entries, 8080).size());
        assertEquals(1, SocketTable.withPort(entries, 50001).size());
    }

    @Test
    void findsTheSocketsThisTestOpensInTheirStates() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            // TIME_WAIT entries of earlier connections that used this port number may linger (the
            // kernel keeps them a minute, and the suite opens thousands): only live sockets count here.
            assertEquals(List.of(TcpState.LISTEN), states(port).stream().filter(st -> st != TcpState.TIME_WAIT).toList());
            int clientPort;
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
                    Socket served = listener.accept()) {
                clientPort = client.getLocalPort();
                List<SocketEntry> mine = SocketTable.withPort(SocketTable.read(), port);
                assertEquals(2, mine.stream().filter(e -> e.state() == TcpState.ESTABLISHED).count(), mine::toString);
                client.close(); // the side that closes first keeps TIME_WAIT
                served.getInputStream().read();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> SocketTable.read().stream()
                    .anyMatch(e -> e.local().getPort() == clientPort && e.state() == TcpState.TIME_WAIT));
        }
    }

    private static List<TcpState> states(int port) throws Exception {
        return SocketTable.withPort(SocketTable.read(), port).stream().map(SocketEntry::state).toList();
    }

    @Test
    void addressDecodingMatchesTheKernelsByteOrder() {
        assertEquals(new InetSocketAddress("10.1.2.3", 443), SocketTable.address("0302010A:01BB"));
        assertTrue(SocketTable.address("00000000:0000").getAddress().isAnyLocalAddress());
    }
}
