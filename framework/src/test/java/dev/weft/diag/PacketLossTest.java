package dev.weft.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Packet loss made real, the way the case study diagnoses it: in a network namespace of the
 * test's own ({@code unshare -n}, as root), with the loopback MTU at Ethernet size and an nftables
 * rule on the <em>input</em> hook dropping every tenth TCP packet that carries data (counted, not
 * random, so the test cannot pass by luck). The sender's TCP believes those packets went out, must
 * find out they were lost and send them again, so RetransSegs climbs by at least as many segments
 * as the rule dropped.
 *
 * <p>Two things this test does not do, on purpose. It does not drop on the output hook: there the
 * sending TCP sees the drop as a failed transmit and simply transmits again, which the kernel does
 * not count as a retransmission. And it does not assert that RetransSegs stays at zero without a
 * rule: on a busy machine loopback retransmits too (tail loss probes, and whole windows after a
 * retransmission timeout when the receiving side was not scheduled for 200 ms; 83 segments were
 * seen once in CI), which is why the README reads the counter as a rate against OutSegs.
 */
class PacketLossTest {

    private static final String SCRIPT = "ip link set lo up && ip link set lo mtu 1500"
            + " && nft add table inet loss"
            + " && nft add chain inet loss in '{ type filter hook input priority 0; }'"
            + " && nft add rule inet loss in meta l4proto tcp meta length gt 100 numgen inc mod 10 0 counter drop"
            + " && \"$0\" -Xmx128m -cp \"$1\" " + LossProbe.class.getName()
            + " && nft list chain inet loss in";
    private static final Pattern DROPPED = Pattern.compile("counter packets (\\d+) bytes");

    @Test
    void droppedPacketsShowAsRetransmissions() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(List.of("unshare", "-n", "bash", "-c", SCRIPT,
                java, System.getProperty("java.class.path")))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, p.exitValue(), output);

        String ok = output.lines().filter(line -> line.startsWith("OK ")).findFirst().orElse("");
        assertFalse(ok.isEmpty(), output);
        String[] parts = ok.split(" ");
        long retransmitted = Long.parseLong(parts[1]);
        long sent = Long.parseLong(parts[2]);
        Matcher m = DROPPED.matcher(output);
        assertTrue(m.find(), output);
        long dropped = Long.parseLong(m.group(1));

        // 2 MiB in packets of at most 64 KiB: the rule dropped at least three.
        assertTrue(dropped >= 3, "packets dropped by the rule: " + dropped);
        // Every dropped packet held at least one segment, and each of those was sent again.
        assertTrue(retransmitted >= dropped, "RetransSegs " + retransmitted + " for " + dropped + " dropped packets");
        // Not 10%: the rule sees packets before GSO splits them into the segments OutSegs counts.
        double rate = (double) retransmitted / sent;
        assertTrue(rate < 0.5, "retransmit rate " + rate + " (" + retransmitted + " of " + sent + " segments)");
    }
}
