package dev.weft.bench.harness;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * tinyproxy as a forward proxy: listening on 127.0.0.1 only, clients from 127.0.0.1 allowed,
 * {@code CONNECT} to the sink's port only, up to {@value #MAX_CLIENTS} clients at once (a thread
 * each; the default, 100, would queue most of the 1,000 connections); run in the foreground
 * ({@code -d}), so the harness's process is tinyproxy's, and with no {@code LogFile} or
 * {@code Syslog} it logs to its standard output, which the harness keeps, at {@code Warning} and
 * above (nothing per request). No {@code User}: started as root it stays root and says so once.
 * Otherwise tinyproxy's defaults, among them a {@code Via} header, a 600 s idle timeout, a closed
 * client connection after each response (tinyproxy does not keep client connections alive) and a
 * listen backlog of 1,024 that no setting changes.
 */
final class TinyproxyPeer implements ProxyPeer {

    /** Clients at once: more than the largest connection count of the scenario, within the open files. */
    static final int MAX_CLIENTS = 9_000;

    private static final Pattern VERSION = Pattern.compile("tinyproxy (\\d\\S*)");

    @Override
    public String name() {
        return "tinyproxy";
    }

    @Override
    public Path binary() {
        return Path.of("/usr/bin/tinyproxy");
    }

    @Override
    public String debianPackage() {
        return "tinyproxy";
    }

    @Override
    public String configName() {
        return "tinyproxy.conf";
    }

    @Override
    public String config(String port, String sinkPort, String dir) {
        return """
                Port %1$s
                Listen 127.0.0.1
                Allow 127.0.0.1
                ConnectPort %2$s
                MaxClients %3$d
                LogLevel Warning
                """.formatted(port, sinkPort, MAX_CLIENTS);
    }

    @Override
    public List<String> command(Path dir) {
        return List.of(binary().toString(), "-d", "-c", dir.resolve(configName()).toString());
    }

    /** A thread per connection, ended with it: the switches of the ended ones are lost. */
    @Override
    public boolean switchesCounted() {
        return false;
    }

    @Override
    public String bindFailure() {
        return "Could not create listening sockets";
    }

    @Override
    public List<String> versionCommand() {
        return List.of(binary().toString(), "-v");
    }

    @Override
    public Optional<String> version(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
