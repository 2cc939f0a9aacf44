package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Failures a peer cannot cause on a plain loopback, made real in a network namespace of the test's
 * own ({@code unshare -n}, as root; skipped where that cannot be had), by {@link NetworkFailureProbe}
 * in a child JVM: keep-alive probes that go unanswered (ETIMEDOUT), and data that draws ICMP "host
 * unreachable" (EHOSTUNREACH) and "network unreachable" (ENETUNREACH). On every transport the JVM
 * runs, the handler sees a {@link NetworkException} of the right kind, the server counts
 * {@code network_error}, and nothing is logged as a handler failure: before, each of these was a
 * {@code handler_error} with a WARNING and a stack trace, for any peer to cause at will.
 */
class NetworkNamespaceTest {

    /** Loopback up, and TCP giving up after two retransmissions (about 3 s on loopback, not 15 min). */
    private static final String SCRIPT = "ip link set lo up"
            + " && echo 2 > /proc/sys/net/ipv4/tcp_retries2"
            + " && exec \"$0\" -Xmx256m --enable-native-access=ALL-UNNAMED -cp \"$1\" " + NetworkFailureProbe.class.getName();

    @Test
    void timedOutAndUnreachablePeersAreNetworkErrorsLoggedAtDebugOnly() throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"), "needs Linux");
        assumeTrue(succeeds("unshare", "-n", "nft", "list", "tables"),
                "needs root (or CAP_SYS_ADMIN), unshare and nft to make a network namespace of its own");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(List.of("unshare", "-n", "bash", "-c", SCRIPT,
                java, System.getProperty("java.class.path")))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, p.exitValue(), output);

        List<String> transports = new ArrayList<>();
        for (Transport t : Transport.values()) {
            if (t.isAvailable()) {
                transports.add(t.name());
            }
        }
        for (String t : transports) {
            assertFailed(output, t, "keepalive", "TIMED_OUT");
            assertFailed(output, t, "host", "HOST_UNREACHABLE");
            assertFailed(output, t, "net", "NETWORK_UNREACHABLE");
            // Each handler rethrew its failure: counted by its type, not as the handler's own.
            assertOnlyNetworkErrors(output, t, "keepalive", 1);
            assertOnlyNetworkErrors(output, t, "plain", 2);
        }
        List<String> logged = output.lines().filter(l -> l.startsWith("LOG ")).toList();
        assertTrue(logged.stream().noneMatch(l -> l.startsWith("LOG WARNING") || l.startsWith("LOG SEVERE")), output);
    }

    /** The server's close counts: {@code networkErrors} of cause network_error, none of any other cause. */
    private static void assertOnlyNetworkErrors(String output, String transport, String server, int networkErrors) {
        String prefix = "CLOSED " + transport + " " + server + " {";
        String line = output.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
        assertTrue(line != null, "expected '" + prefix + "...' in:\n" + output);
        for (String entry : line.substring(prefix.length(), line.length() - 1).split(", ")) {
            String[] kv = entry.split("=");
            // Each handler rethrew its failure: counted by its type, not as the handler's own.
            assertEquals(kv[0].equals("NETWORK_ERROR") ? networkErrors : 0, Integer.parseInt(kv[1]), line);
        }
        assertTrue(line.contains("NETWORK_ERROR="), line);
    }

    private static void assertFailed(String output, String transport, String mode, String kind) {
        String prefix = "FAILED " + transport + " " + mode + " NetworkException " + kind + " ";
        assertTrue(output.lines().anyMatch(l -> l.startsWith(prefix)), "expected '" + prefix + "...' in:\n" + output);
    }

    private static boolean succeeds(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
