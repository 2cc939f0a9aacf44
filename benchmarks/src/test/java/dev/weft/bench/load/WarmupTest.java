package dev.weft.bench.load;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.Loopback;
import dev.weft.bench.servers.BenchServer;
import dev.weft.bench.servers.ServerKind;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The forward proxies' connection warm-up: checked absolute-form requests, and a wrong answer is an error. */
@Timeout(90)
class WarmupTest {

    @Test
    void theForwardWarmUpGoesThroughWeftsForwardProxyAndStraightToTheBackendForDirect() throws Exception {
        try (BenchServer backend = ServerKind.NETTY_HTTP.start(100);
                BenchServer proxy = ServerKind.WEFT_FWD.start(100, 0, 443)) {
            assertDoesNotThrow(() -> Warmup.forward(proxy.port(), backend.port()));
            assertDoesNotThrow(() -> Warmup.forward(backend.port(), 0));
        }
    }

    @Test
    void aProxyThatCannotReachTheBackendFailsTheWarmUpWithItsStatusLine() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, Loopback.address())) {
            closed = s.getLocalPort();
        }
        try (BenchServer proxy = ServerKind.WEFT_FWD.start(100, 0, 443)) {
            IOException e = assertThrows(IOException.class, () -> Warmup.forward(proxy.port(), closed));
            assertTrue(e.getMessage().contains("502"), e.getMessage());
        }
    }
}
