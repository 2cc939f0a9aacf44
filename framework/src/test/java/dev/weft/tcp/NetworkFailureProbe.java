package dev.weft.tcp;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The child JVM of {@link NetworkNamespaceTest}, run as root in a network namespace of its own
 * whose loopback is up and whose TCP gives up after two retransmissions ({@code tcp_retries2=2}).
 * For each transport this JVM runs, it opens three connections, each to a server that records the
 * exception its handler's read failed with, then has nftables (in this namespace only) make each
 * fail another way:
 *
 * <ul>
 *   <li>{@code keepalive}: the server probes an idle peer every second, and every packet to the
 *       peer is dropped: after two unanswered probes the kernel gives up, ETIMEDOUT;
 *   <li>{@code host}: the server sends a byte, and each packet to the peer draws an ICMP "host
 *       unreachable": after the retransmissions, EHOSTUNREACH;
 *   <li>{@code net}: the same with "network unreachable": ENETUNREACH.
 * </ul>
 *
 * <p>It prints one line per connection, {@code FAILED <transport> <mode> <class> <kind> <message>},
 * one per server, {@code CLOSED <transport> <server> <cause=count,...>}, and {@code LOG <level>
 * <message>} for every line the server logged at INFO or above (a close is at DEBUG).
 */
final class NetworkFailureProbe {

    private static final int FIRST_CLIENT_PORT = 40_000;
    private static final String[] MODES = {"keepalive", "host", "net"};

    private NetworkFailureProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<Transport> transports = new ArrayList<>();
        for (Transport t : Transport.values()) {
            if (t.isAvailable()) {
                transports.add(t);
            }
        }
        Map<Integer, IOException> failures = new ConcurrentHashMap<>();
        ConnectionHandler recording = conn -> {
            byte[] b = new byte[16];
            try {
                while (conn.in().read(b) >= 0) {
                    conn.out().write('x'); // to a peer that cannot be reached any more
                }
            } catch (IOException e) {
                failures.put(conn.remoteAddress().getPort(), e);
                throw e;
            }
        };
        List<ServerFixture> servers = new ArrayList<>();
        List<Socket> clients = new ArrayList<>();
        StringBuilder rules = new StringBuilder("add table inet probe\n"
                + "add chain inet probe in { type filter hook input priority 0; }\n");
        try (LogCapture log = LogCapture.of(TcpServer.class)) {
            int port = FIRST_CLIENT_PORT;
            for (Transport t : transports) {
                ServerFixture keepAlive = new ServerFixture();
                keepAlive.start(recording, b -> b.transport(t).keepAlive(Duration.ofSeconds(1), Duration.ofSeconds(1), 2));
                ServerFixture plain = new ServerFixture();
                plain.start(recording, b -> b.transport(t));
                servers.add(keepAlive);
                servers.add(plain);
                for (String mode : MODES) {
                    ServerFixture server = mode.equals("keepalive") ? keepAlive : plain;
                    Socket client = new Socket();
                    client.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
                    clients.add(client);
                    rules.append("add rule inet probe in tcp dport ").append(port).append(switch (mode) {
                        case "keepalive" -> " drop\n";
                        case "host" -> " reject with icmp type host-unreachable\n";
                        default -> " reject with icmp type net-unreachable\n";
                    });
                    port++;
                }
            }
            nft(rules.toString());
            for (int i = 0; i < clients.size(); i++) {
                if (i % MODES.length != 0) {
                    clients.get(i).getOutputStream().write('?'); // answered with a byte that never arrives
                }
            }
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> failures.size() == clients.size());
            } catch (ConditionTimeoutException e) {
                System.out.println("TIMEOUT " + e.getMessage()); // the lines below say which one
            }
            for (ServerFixture s : servers) {
                s.close(); // counts settle before they are printed
            }
            port = FIRST_CLIENT_PORT;
            for (Transport t : transports) {
                for (String mode : MODES) {
                    IOException e = failures.get(port++);
                    String kind = e instanceof NetworkException n ? n.kind().name() : "none";
                    System.out.println("FAILED " + t + " " + mode + " "
                            + (e == null ? "none none" : e.getClass().getSimpleName() + " " + kind + " " + e.getMessage()));
                }
            }
            for (int i = 0; i < servers.size(); i++) {
                System.out.println("CLOSED " + transports.get(i / 2) + " " + (i % 2 == 0 ? "keepalive" : "plain") + " "
                        + servers.get(i).closedCounts());
            }
            for (LogCapture.Line line : log.lines()) {
                if (line.atLeast(java.util.logging.Level.INFO)) {
                    System.out.println("LOG " + line);
                }
            }
        } finally {
            for (Socket c : clients) {
                c.close();
            }
        }
    }

    private static void nft(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("nft failed: " + output + "\n" + script);
        }
    }
}
