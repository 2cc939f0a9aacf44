package dev.weft.bench.harness;

import dev.weft.bench.proc.ChildJvm;
import dev.weft.bench.proc.Proc;
import dev.weft.bench.servers.ServerKind;
import dev.weft.bench.servers.ServerMain;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The proxy under test in a proxy scenario, whichever it is: where to send the load, what to sample
 * (CPU time and context switches, as {@link Proc} counts them), how to stop it. Started by
 * {@link #start}: a Weft proxy in a JVM of its own ({@link ServerMain}), a peer from its binary
 * ({@link PeerProcess}), or for {@code direct} nothing.
 *
 * @param port     where the load goes, on 127.0.0.1
 * @param cpu      the CPU time so far of what is sampled, nanoseconds
 * @param switches its context switches so far
 * @param switchesCounted whether {@code switches} counts them all ({@link ProxyPeer#switchesCounted})
 * @param stop     stops it (nothing for {@code direct})
 */
record ProxyUnderTest(int port, LongSupplier cpu, LongSupplier switches, boolean switchesCounted, Runnable stop)
        implements AutoCloseable {

    /**
     * Starts {@code kind}. {@code direct}: nothing is started, the load goes to {@code directPort}
     * and {@code sampled} (the backend, or null for none: its figures then read 0) is what is
     * sampled. A Weft proxy: {@code ServerMain --server KIND} with {@code serverArgs} and the run's
     * flags, its log {@code logs/TAG-server.log}. A peer: its config and files in {@code logs/TAG/},
     * in front of (reverse, TCP) or letting {@code CONNECT} reach (forward) port {@code target}.
     */
    static ProxyUnderTest start(ServerKind kind, int directPort, ChildJvm sampled, List<String> serverArgs, int target,
            BenchOptions options, Path logs, String tag) throws IOException, InterruptedException {
        if (kind == ServerKind.DIRECT) {
            if (sampled == null) {
                return new ProxyUnderTest(directPort, () -> 0, () -> 0, false, () -> { });
            }
            Proc proc = Proc.of(sampled.pid());
            return new ProxyUnderTest(directPort, proc::cpuNanos, proc::contextSwitches, true, () -> { });
        }
        if (kind.inJvm()) {
            List<String> args = new ArrayList<>(List.of("--server", kind.label()));
            args.addAll(serverArgs);
            ChildJvm jvm = ChildJvm.start("proxy " + kind.label(), options.jvmFlags(), ServerMain.class, args,
                    logs.resolve(tag + "-server.log"));
            try {
                int port = LoadRun.awaitPort(jvm);
                Proc proc = Proc.of(jvm.pid());
                return new ProxyUnderTest(port, proc::cpuNanos, proc::contextSwitches, true, jvm::close);
            } catch (RuntimeException | InterruptedException e) {
                jvm.close();
                throw e;
            }
        }
        ProxyPeer peer = ProxyPeer.of(kind).orElseThrow(() -> new IllegalArgumentException(kind + " is no proxy"));
        PeerProcess p = PeerProcess.start(peer, target, logs.resolve(tag));
        return new ProxyUnderTest(p.port(), p::cpuNanos, p::contextSwitches, peer.switchesCounted(), p::close);
    }

    long cpuNanos() {
        return cpu.getAsLong();
    }

    long contextSwitches() {
        return switches.getAsLong();
    }

    @Override
    public void close() {
        stop.run();
    }
}
