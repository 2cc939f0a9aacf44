package dev.weft.bench.harness;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Squid as a forward proxy: one process ({@code workers 1}, run with {@code -N}: in the foreground,
 * no master and kids, so the harness's process is the worker), nothing cached ({@code cache deny
 * all}), clients from 127.0.0.1 allowed (Squid's built-in {@code localhost} ACL) and everyone else
 * denied, {@code CONNECT} to the sink's port only; no access log, the cache log to
 * {@code /dev/null} and Squid's level-1 messages (start-up, errors) on standard error
 * ({@code -d 1}), which the harness keeps: started as root, Squid drops to its own user (Debian's
 * {@code proxy}), which could not write into the harness's directory. No pid file (the harness
 * holds the process), no ICMP pinger helper, no network database file; up to
 * {@value NginxPeer#RLIMIT_NOFILE} file descriptors; {@code SIGTERM} ends it at once
 * ({@code shutdown_lifetime 0}) instead of waiting 30 s for clients. Otherwise Squid's defaults:
 * keep-alive to clients and to servers, {@code Via} and {@code X-Forwarded-For} added.
 */
final class SquidPeer implements ProxyPeer {

    private static final Pattern VERSION = Pattern.compile("Squid Cache: Version (\\S+)");

    @Override
    public String name() {
        return "Squid";
    }

    @Override
    public Path binary() {
        return Path.of("/usr/sbin/squid");
    }

    @Override
    public String debianPackage() {
        return "squid";
    }

    @Override
    public String configName() {
        return "squid.conf";
    }

    @Override
    public String config(String port, String sinkPort, String dir) {
        return """
                http_port 127.0.0.1:%1$s
                workers 1
                cache deny all
                acl CONNECT method CONNECT
                acl tunnel_ports port %2$s
                http_access deny CONNECT !tunnel_ports
                http_access allow localhost
                http_access deny all
                access_log none
                cache_log /dev/null
                pid_filename none
                coredump_dir %3$s
                netdb_filename none
                pinger_enable off
                visible_hostname weft-bench
                max_filedescriptors %4$d
                shutdown_lifetime 0 seconds
                """.formatted(port, sinkPort, dir, NginxPeer.RLIMIT_NOFILE);
    }

    @Override
    public List<String> command(Path dir) {
        return List.of(binary().toString(), "-N", "-d", "1", "-f", dir.resolve(configName()).toString());
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
