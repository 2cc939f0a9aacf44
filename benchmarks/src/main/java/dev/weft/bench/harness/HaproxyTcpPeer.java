package dev.weft.bench.harness;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * HAProxy as a TCP proxy, the peer of Weft's {@code TcpProxy}: {@code mode tcp}, so each client
 * connection is relayed byte for byte to one backend connection of its own, opened when the client
 * connects. Otherwise as {@link HaproxyPeer}, from the same binary: one process with
 * {@code nbthread 2} (the machine's two cores), {@code maxconn} {@value HaproxyPeer#MAXCONN} (HAProxy
 * sizes its file descriptors from it), timeouts of 5 s to connect and 60 s of client and server
 * inactivity, no logging, run in the foreground ({@code -db}) so that the harness's process is
 * HAProxy's. Nothing in {@code mode tcp} reuses a backend connection, so there is no
 * {@code http-reuse}.
 */
final class HaproxyTcpPeer implements ProxyPeer {

    /** The binary, its command line and its version are the reverse proxy's. */
    private final HaproxyPeer haproxy = new HaproxyPeer();

    @Override
    public String name() {
        return haproxy.name();
    }

    @Override
    public Path binary() {
        return haproxy.binary();
    }

    @Override
    public String debianPackage() {
        return haproxy.debianPackage();
    }

    @Override
    public String configName() {
        return haproxy.configName();
    }

    @Override
    public String config(String port, String backendPort, String dir) {
        return HaproxyPeer.config("tcp", "", port, backendPort);
    }

    @Override
    public List<String> command(Path dir) {
        return haproxy.command(dir);
    }

    @Override
    public String bindFailure() {
        return haproxy.bindFailure();
    }

    @Override
    public List<String> versionCommand() {
        return haproxy.versionCommand();
    }

    @Override
    public Optional<String> version(String versionOutput) {
        return haproxy.version(versionOutput);
    }
}
