package dev.weft.bench.harness;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HAProxy as a reverse proxy: one process with {@code nbthread 2} (the machine's two cores),
 * {@code mode http}, {@code http-reuse always} (idle backend connections shared by every client
 * connection), {@code maxconn 9000} (HAProxy sizes its file descriptors from it: 9,000 fit the
 * 20,000 open files per process, 20,000 would need 40,017 and it refuses to start), timeouts of
 * 5 s to connect and 60 s of client and server inactivity, no logging; run in the foreground
 * ({@code -db}), so the harness's process is HAProxy's. Otherwise HAProxy's defaults (keep-alive
 * on both sides).
 */
final class HaproxyPeer implements ProxyPeer {

    static final int MAXCONN = 9_000;

    private static final Pattern VERSION = Pattern.compile("HAProxy version (\\S+)");

    @Override
    public String name() {
        return "HAProxy";
    }

    @Override
    public Path binary() {
        return Path.of("/usr/sbin/haproxy");
    }

    @Override
    public String debianPackage() {
        return "haproxy";
    }

    @Override
    public String configName() {
        return "haproxy.cfg";
    }

    @Override
    public String config(String port, String backendPort, String dir) {
        return config("http", "    http-reuse always\n", port, backendPort);
    }

    /**
     * The config both HAProxy peers write: {@code mode} ({@code http} or {@code tcp}) and lines added
     * to {@code defaults} (each indented and ending in a newline), the rest the same.
     */
    static String config(String mode, String defaultsExtra, String port, String backendPort) {
        return """
                global
                    nbthread 2
                    maxconn %3$d

                defaults
                    mode %4$s
                    maxconn %3$d
                    timeout connect 5s
                    timeout client 60s
                    timeout server 60s
                %5$s
                frontend proxy
                    bind 127.0.0.1:%1$s backlog 4096
                    default_backend backend

                backend backend
                    server backend 127.0.0.1:%2$s
                """.formatted(port, backendPort, MAXCONN, mode, defaultsExtra);
    }

    @Override
    public List<String> command(Path dir) {
        return List.of(binary().toString(), "-db", "-f", dir.resolve(configName()).toString());
    }

    @Override
    public String bindFailure() {
        return "Address already in use";
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
