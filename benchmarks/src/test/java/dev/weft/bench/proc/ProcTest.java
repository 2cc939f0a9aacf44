package dev.weft.bench.proc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.Loopback;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the harness reads of other processes: their children, whether they hold a listening socket. */
@Timeout(30)
class ProcTest {

    @Test
    void aStartedProcessIsAChildOfThisOneUntilItEnds() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "20").start();
        try {
            Proc child = Proc.of(sleep.pid());
            assertTrue(Proc.self().children().contains(child), "sleep " + sleep.pid() + " not among the children");
            assertTrue(child.alive());
            assertTrue(child.children().isEmpty());
        } finally {
            sleep.destroy();
            sleep.waitFor(10, TimeUnit.SECONDS);
        }
        assertFalse(Proc.self().children().contains(Proc.of(sleep.pid())));
        assertFalse(Proc.of(sleep.pid()).alive());
    }

    @Test
    void aProcessListensOnThePortsItHoldsAndNoOther() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 1, Loopback.address())) {
            port = server.getLocalPort();
            assertTrue(Proc.self().listensOn(port));
            Process sleep = new ProcessBuilder("sleep", "20").start();
            try {
                assertFalse(Proc.of(sleep.pid()).listensOn(port), "another process does not hold our socket");
            } finally {
                sleep.destroy();
                sleep.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertFalse(Proc.self().listensOn(port));
    }
}
