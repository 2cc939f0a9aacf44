package dev.weft.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.balance.Strategy;
import dev.weft.balance.UpstreamGroup;
import dev.weft.balance.Upstream;
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
        UpstreamGroup group = TcpProxyExample.group("127.0.0.1:" + a.port() + ", 127.0.0.1:" + b.port(),
                TcpProxyExample.strategy("round-robin"), Duration.ofMillis(50), registry);
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
        assertEquals("tcp-proxy: --strategy is round-robin, least-conn or ip-hash, got 'random'",
                assertThrows(Args.UsageException.class, () -> TcpProxyExample.strategy("random")).getMessage());
        assertEquals(Strategy.IP_HASH, TcpProxyExample.strategy("ip-hash"));
        assertEquals("tcp-proxy: --upstream host:port[,host:port...] is required",
                assertThrows(Args.UsageException.class, () -> TcpProxyExample.main(new String[] {"--port", "0"}))
                        .getMessage());
    }
}
