package dev.weft.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.balance.Strategy;
import dev.weft.balance.UpstreamGroup;
import dev.weft.balance.Upstream;
import dev.weft.client.Endpoint;
import dev.weft.proxy.TcpProxy;
import dev.weft.tcp.TcpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TcpProxyExampleTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private TcpServer named(String name) {
        TcpServer s = TcpServer.builder().bindAddress(InetAddress.getLoopbackAddress()).meterRegistry(new SimpleMeterRegistry())
                .handler(c -> c.out().write(name.getBytes(StandardCharsets.UTF_8))).start();
        closing.add(s);
        return s;
    }

    private static String through(TcpProxy proxy) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            s.setSoTimeout(10_000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void balancesOverTheUpstreamsAndStopsUsingOneThatGoesDown() throws Exception {
        TcpServer a = named("a");
        TcpServer b = named("b");
        UpstreamGroup group = TcpProxyExample.group(List.of(new Endpoint("127.0.0.1", a.port()),
                new Endpoint("127.0.0.1", b.port())), Strategy.ROUND_ROBIN, Duration.ofMillis(50), registry);
        closing.add(group);
        TcpProxy proxy = TcpProxyExample.start(group, InetAddress.getLoopbackAddress(), 0, Duration.ofSeconds(30), registry);
        closing.add(proxy);

        assertEquals(List.of("a", "b", "a", "b"), List.of(through(proxy), through(proxy), through(proxy), through(proxy)));

        a.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !group.isAvailable(Upstream.of("127.0.0.1:" + a.port())));
        for (int i = 0; i < 3; i++) {
            assertEquals("b", through(proxy));
        }
    }

    @Test
    void wrongOptionsSayWhatIsWrong() {
        CliRun strategy = CliRun.of("tcp-proxy", "--upstream", "127.0.0.1:1", "--strategy", "random");
        assertEquals(2, strategy.exit(), strategy.toString());
        assertEquals("weft tcp-proxy: invalid value for option '--strategy': expected round-robin, least-conn or ip-hash,"
                + " got 'random' (./weft tcp-proxy --help lists its options)\n", strategy.err());

        CliRun missing = CliRun.of("tcp-proxy", "--port", "0");
        assertEquals(2, missing.exit(), missing.toString());
        assertTrue(missing.err().startsWith("weft tcp-proxy: missing required option: '--upstream=HOST:PORT"), missing.toString());

        CliRun twice = CliRun.of("tcp-proxy", "--upstream", "127.0.0.1:1, 127.0.0.1:1", "--port", "0");
        assertEquals(2, twice.exit(), twice.toString());
        assertTrue(twice.err().startsWith("weft tcp-proxy: --upstream: 127.0.0.1:1 is in group upstreams twice"),
                twice.toString());

        CliRun badPort = CliRun.of("tcp-proxy", "--upstream", "127.0.0.1:1,127.0.0.1:70000");
        assertEquals(2, badPort.exit(), badPort.toString());
        assertTrue(badPort.err().contains("port must be 1..65535, got 70000"), badPort.toString());
    }

    @Test
    void strategiesByTheirCommandLineNames() {
        CliTypes.StrategyConverter names = new CliTypes.StrategyConverter();
        assertEquals(Strategy.ROUND_ROBIN, names.convert("round-robin"));
        assertEquals(Strategy.LEAST_CONNECTIONS, names.convert("least-conn"));
        assertEquals(Strategy.IP_HASH, names.convert("ip-hash"));
        assertThrows(CommandLine.TypeConversionException.class, () -> names.convert("ip_hash"));
    }
}
