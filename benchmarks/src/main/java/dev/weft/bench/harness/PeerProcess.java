package dev.weft.bench.harness;

import dev.weft.bench.Loopback;
import dev.weft.bench.proc.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * A {@link ProxyPeer} running: its config written into a directory of its own, the binary started
 * in the foreground with its output in {@code DIR/<name>.log}, on a free loopback port. None of the
 * peers can be told to bind port 0 and say which port they got, so a free port is found by
 * binding a {@link ServerSocket} to port 0 and closing it; if another process takes it before the
 * peer does, the peer fails to bind and is started again on another port. It counts as started
 * when the process itself holds the listening socket ({@link Proc#listensOn}).
 *
 * <p>CPU time and context switches are those of the process and its children (nginx's master and
 * workers; HAProxy, Squid with {@code -N} and tinyproxy are one process each). {@link #close()} stops it by its PID: {@code SIGTERM}, then
 * {@code SIGKILL} for whatever of it (the process, its children) is left after a few seconds.
 * Used from one thread.
 */
final class PeerProcess implements AutoCloseable {

    static final int ATTEMPTS = 5;
    private static final long START_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final long STOP_SECONDS = 5;
    private static final long POLL_MILLIS = 20;

    private final ProxyPeer peer;
    private final Process process;
    private final int port;
    private final Path log;
    private final Thread killOnExit;

    private PeerProcess(ProxyPeer peer, Process process, int port, Path log) {
        this.peer = peer;
        this.process = process;
        this.port = port;
        this.log = log;
        this.killOnExit = new Thread(() -> kill(process.toHandle()), peer.name() + "-killer");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts {@code peer} on a free port, its files in {@code dir}: a reverse or a TCP proxy in front
     * of 127.0.0.1:{@code target}, a forward proxy that lets {@code CONNECT} reach port {@code target}.
     */
    static PeerProcess start(ProxyPeer peer, int target, Path dir) throws IOException, InterruptedException {
        return start(peer, target, dir, PeerProcess::freePort);
    }

    /**
     * Starts {@code peer} on the ports {@code ports} gives, one per attempt, until it binds one
     * ({@value #ATTEMPTS} attempts).
     *
     * @throws IOException if it is not installed, exits at start for another reason than a taken
     *                     port (the message holds the end of its log), or does not listen in time
     */
    static PeerProcess start(ProxyPeer peer, int target, Path dir, IntSupplier ports)
            throws IOException, InterruptedException {
        if (!peer.installed()) {
            throw new IOException(peer.binary() + " is not installed (Debian package " + peer.debianPackage() + ")");
        }
        Files.createDirectories(dir);
        Path log = dir.resolve(peer.configName().substring(0, peer.configName().indexOf('.')) + ".log");
        List<Integer> taken = new ArrayList<>();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int port = ports.getAsInt();
            Files.writeString(dir.resolve(peer.configName()),
                    peer.config(String.valueOf(port), String.valueOf(target), dir.toString()),
                    StandardCharsets.UTF_8);
            long logStart = Files.exists(log) ? Files.size(log) : 0;
            Process p = new ProcessBuilder(peer.command(dir))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            Proc proc = Proc.of(p.pid());
            long deadline = System.nanoTime() + START_NANOS;
            boolean bindFailed = false;
            while (System.nanoTime() < deadline) {
                if (p.isAlive() && proc.listensOn(port)) {
                    return new PeerProcess(peer, p, port, log);
                }
                String since = since(log, logStart);
                if (since.contains(peer.bindFailure())) { // nginx would try again for 2.5 s: no need
                    bindFailed = true;
                    break;
                }
                if (!p.isAlive()) {
                    throw new IOException(peer.name() + " exited at start with status " + p.exitValue() + ": "
                            + since.strip() + " (see " + log + ")");
                }
                Thread.sleep(POLL_MILLIS);
            }
            kill(p.toHandle());
            if (!bindFailed) {
                throw new IOException(peer.name() + " did not listen on 127.0.0.1:" + port + " within "
                        + TimeUnit.NANOSECONDS.toSeconds(START_NANOS) + " s; see " + log);
            }
            taken.add(port);
        }
        throw new IOException(peer.name() + " found each port taken (" + taken + "); see " + log);
    }

    /** A port on 127.0.0.1 that was free a moment ago: bound to port 0, read back, closed. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, Loopback.address())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** The process and its children (nginx's workers): what is sampled. */
    List<Proc> processes() {
        List<Proc> all = new ArrayList<>();
        Proc self = Proc.of(process.pid());
        all.add(self);
        all.addAll(self.children());
        return all;
    }

    /** User plus system CPU time so far of the process and its children, nanoseconds. */
    long cpuNanos() {
        return processes().stream().mapToLong(Proc::cpuNanos).sum();
    }

    /** Context switches so far of the threads of the process and its children. */
    long contextSwitches() {
        return processes().stream().mapToLong(Proc::contextSwitches).sum();
    }

    /** Stops it by PID: {@code SIGTERM}, then {@code SIGKILL} after a few seconds; its children too. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or will run: it kills the process.
        }
        List<ProcessHandle> children = process.toHandle().children().toList();
        process.destroy(); // SIGTERM: nginx's master stops its workers and exits, the others exit
        try {
            if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                kill(process.toHandle());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
            for (ProcessHandle child : children) {
                while (child.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(POLL_MILLIS);
                }
                if (child.isAlive()) {
                    child.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process.toHandle());
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** {@code SIGKILL} to the process and to its children, by PID. */
    private static void kill(ProcessHandle process) {
        List<ProcessHandle> children = process.children().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
    }

    private static String since(Path log, long offset) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        byte[] all = Files.readAllBytes(log);
        return offset >= all.length ? "" : new String(all, (int) offset, all.length - (int) offset,
                StandardCharsets.UTF_8);
    }
}
