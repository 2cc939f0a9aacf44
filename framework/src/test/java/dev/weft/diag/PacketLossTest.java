package dev.weft.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Packet loss made real, the way the case study diagnoses it: in a network namespace of the
 * test's own ({@code unshare -n}, as root), with the loopback MTU at Ethernet size and an nftables
 * rule dropping every tenth TCP packet (counted, not random, so the test cannot pass by luck),
 * RetransSegs climbs; without the rule it stays at zero.
 */
class PacketLossTest {

    private static final String SETUP = "ip link set lo up && ip link set lo mtu 1500";
    private static final String DROP = " && nft add table inet loss"
            + " && nft add chain inet loss out '{ type filter hook output priority 0; }'"
            + " && nft add rule inet loss out meta l4proto tcp numgen inc mod 10 0 drop";

    @Test
    void droppedPacketsShowAsRetransmissions() throws Exception {
        long[] lossy = probe(SETUP + DROP);
        long[] clean = probe(SETUP);

        assertEquals(0, clean[0], "no loss, no retransmission");
        assertTrue(lossy[0] > 0, "RetransSegs " + lossy[0] + " of " + lossy[1] + " segments");
        // Not 10%: the rule sees packets before GSO splits them into the segments OutSegs counts.
        double rate = (double) lossy[0] / lossy[1];
        assertTrue(rate > 0 && rate < 0.5, "retransmit rate " + rate);
    }

    /** RetransSegs and OutSegs of one {@link LossProbe} run in a fresh namespace set up by {@code setup}. */
    private static long[] probe(String setup) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(List.of("unshare", "-n", "bash", "-c",
                setup + " && exec \"$0\" -Xmx128m -cp \"$1\" " + LossProbe.class.getName(),
                java, System.getProperty("java.class.path")))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, p.exitValue(), output);
        String last = output.lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("OK "), output);
        String[] parts = last.split(" ");
        return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
    }
}
