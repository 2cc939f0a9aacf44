package dev.weft.bench.harness;

import dev.weft.bench.servers.ServerKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A proxy the harness compares Weft's with, run from its Debian package's binary with a config the
 * harness writes: the reverse proxies {@link NginxPeer} and {@link HaproxyPeer}, the forward proxies
 * {@link SquidPeer} and {@link TinyproxyPeer}, the TCP proxy {@link HaproxyTcpPeer}.
 * {@link PeerProcess} starts, samples and stops it.
 */
sealed interface ProxyPeer permits NginxPeer, HaproxyPeer, SquidPeer, TinyproxyPeer, HaproxyTcpPeer {

    /** How the report names it: {@code nginx}, {@code HAProxy}, {@code Squid}, {@code tinyproxy}. */
    String name();

    /** The binary, e.g. {@code /usr/sbin/nginx}. */
    Path binary();

    /** The Debian package that installs {@link #binary()}. */
    String debianPackage();

    /** The config file's name inside the peer's directory. */
    String configName();

    /**
     * The config of a proxy listening on 127.0.0.1:{@code port}, keeping its files (pid, logs,
     * temporary files) in {@code dir}. A reverse or a TCP proxy forwards to 127.0.0.1:{@code target}; a
     * forward proxy goes wherever its clients ask, and lets {@code CONNECT} reach port {@code target}
     * only. Strings, so that the README can show it with placeholders ({@code PORT}, {@code BACKEND}
     * or {@code SINK}, {@code DIR}).
     */
    String config(String port, String target, String dir);

    /** The command that runs it in the foreground, so that the harness owns the process. */
    List<String> command(Path dir);

    /** What it prints when its listening port is taken (then the harness tries another port). */
    String bindFailure();

    /** The command that prints its version. */
    List<String> versionCommand();

    /** The version, e.g. {@code 1.22.1}, out of the version command's output; empty if there is none. */
    Optional<String> version(String versionOutput);

    /**
     * The peer behind a server kind: {@code nginx-proxy}, {@code haproxy-proxy}, {@code squid},
     * {@code tinyproxy} or {@code haproxy-tcp}; empty for the others.
     */
    static Optional<ProxyPeer> of(ServerKind kind) {
        return switch (kind) {
            case NGINX_PROXY -> Optional.of(new NginxPeer());
            case HAPROXY_PROXY -> Optional.of(new HaproxyPeer());
            case SQUID -> Optional.of(new SquidPeer());
            case TINYPROXY -> Optional.of(new TinyproxyPeer());
            case HAPROXY_TCP -> Optional.of(new HaproxyTcpPeer());
            default -> Optional.empty();
        };
    }

    /**
     * Whether its context switches can be counted: {@link dev.weft.bench.proc.Proc#contextSwitches}
     * adds up the live threads, so a proxy that starts a thread per connection and ends it
     * (tinyproxy) loses the switches of every thread that ended. Its CPU time is counted whole.
     */
    default boolean switchesCounted() {
        return true;
    }

    /** Whether the binary is there. */
    default boolean installed() {
        return Files.isExecutable(binary());
    }

    /** The sentence that says it is missing, for a run that needs it. */
    default String missing(ServerKind kind) {
        return kind.label() + " needs " + binary() + ", which is not installed: ./weft bench installs the Debian"
                + " package " + debianPackage() + " (apt-get install " + debianPackage() + ").";
    }

    /** {@code nginx 1.22.1}: the name and the version the binary reports, or the name alone if it says none. */
    default String describe() {
        List<String> command = versionCommand();
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return version(new String(out, StandardCharsets.UTF_8)).map(v -> name() + " " + v).orElse(name());
        } catch (IOException e) {
            return name();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return name();
        }
    }

    /** The peers that {@code scenarios} run, each once, in the order they first appear. */
    static List<ServerKind> kindsIn(List<Scenario> scenarios) {
        List<ServerKind> kinds = new ArrayList<>();
        for (Scenario s : scenarios) {
            for (ServerKind k : s.servers()) {
                if (of(k).isPresent() && !kinds.contains(k)) {
                    kinds.add(k);
                }
            }
        }
        return kinds;
    }
}
