package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.servers.ServerKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The nginx, HAProxy (reverse and TCP proxy), Squid and tinyproxy configs the harness writes: what
 * they say, and that the README shows them as they are.
 */
class ProxyPeerConfigTest {

    private static final NginxPeer NGINX = new NginxPeer();
    private static final HaproxyPeer HAPROXY = new HaproxyPeer();
    private static final SquidPeer SQUID = new SquidPeer();
    private static final TinyproxyPeer TINYPROXY = new TinyproxyPeer();
    private static final HaproxyTcpPeer HAPROXY_TCP = new HaproxyTcpPeer();
    /** The open files each process may have here (the hard limit). */
    private static final int OPEN_FILES = 20_000;

    @Test
    void nginxRunsTwoWorkersInTheForegroundWithKeepAliveToTheBackendAndItsFilesInItsDirectory() {
        String c = NGINX.config("18080", "9999", "/tmp/run/logs/m1");
        List<String> lines = c.lines().map(String::strip).toList();
        for (String directive : List.of("daemon off;", "worker_processes 2;", "access_log off;", "keepalive 64;",
                "proxy_http_version 1.1;", "proxy_set_header Connection \"\";", "proxy_pass http://backend;",
                "server 127.0.0.1:9999;", "listen 127.0.0.1:18080 backlog=4096;",
                "pid /tmp/run/logs/m1/nginx.pid;", "error_log /tmp/run/logs/m1/nginx.log warn;",
                "proxy_temp_path /tmp/run/logs/m1/proxy_temp;",
                "client_body_temp_path /tmp/run/logs/m1/client_body_temp;")) {
            assertTrue(lines.contains(directive), () -> "no '" + directive + "' in\n" + c);
        }
        // Every path nginx writes is in the measurement's directory, none in the system's.
        for (String line : lines) {
            if (line.matches("(pid|error_log|\\w+_temp_path) .*")) {
                assertTrue(line.split("\\s+")[1].startsWith("/tmp/run/logs/m1/"), line);
            }
        }
        assertFalse(c.contains("/var/"), c);
        assertEquals(count(c, "\\{"), count(c, "\\}"), "braces balance");
    }

    @Test
    void nginxHasRoomForMoreThanAThousandClientsAndTheirBackendConnectionsWithinTheFileLimit() {
        String c = NGINX.config("1", "2", "/d");
        int connections = number(c, "worker_connections (\\d+);");
        int files = number(c, "worker_rlimit_nofile (\\d+);");
        // Each client connection may need a backend connection too, even with one worker taking all.
        assertTrue(connections >= 2 * (BenchOptions.MAX_PROXY_CONNECTIONS + 100), "worker_connections " + connections);
        assertTrue(files >= connections && files < OPEN_FILES, "worker_rlimit_nofile " + files);
        assertFalse(c.contains("access_log /"), "no access log");
    }

    @Test
    void haproxyRunsTwoThreadsInHttpModeReusingBackendConnectionsWithAMaxconnThatFitsTheFileLimit() {
        String c = HAPROXY.config("18081", "9999", "/d");
        List<String> lines = c.lines().map(String::strip).toList();
        for (String directive : List.of("nbthread 2", "mode http", "http-reuse always", "timeout connect 5s",
                "timeout client 60s", "timeout server 60s", "bind 127.0.0.1:18081 backlog 4096",
                "default_backend backend", "server backend 127.0.0.1:9999")) {
            assertTrue(lines.contains(directive), () -> "no '" + directive + "' in\n" + c);
        }
        int maxconn = number(c, "maxconn (\\d+)");
        assertEquals(HaproxyPeer.MAXCONN, maxconn);
        // HAProxy asks for 2 × maxconn + 17 files (maxconn 20000 needs 40,017 and fails to start).
        assertTrue(2 * maxconn + 17 <= OPEN_FILES, "maxconn " + maxconn);
        assertTrue(maxconn > BenchOptions.MAX_PROXY_CONNECTIONS, "maxconn " + maxconn);
        assertEquals(2, lines.stream().filter(l -> l.startsWith("maxconn ")).count(), "global and defaults");
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("log") || l.startsWith("option httplog")),
                "no logging: " + c);
    }

    @Test
    void haproxyAsATcpProxyRunsTwoThreadsInTcpModeWithTheSameLimitsAndTimeoutsAndNoHttpSettings() {
        String c = HAPROXY_TCP.config("18084", "9998", "/d");
        List<String> lines = c.lines().map(String::strip).toList();
        for (String directive : List.of("nbthread 2", "mode tcp", "timeout connect 5s", "timeout client 60s",
                "timeout server 60s", "bind 127.0.0.1:18084 backlog 4096", "default_backend backend",
                "server backend 127.0.0.1:9998")) {
            assertTrue(lines.contains(directive), () -> "no '" + directive + "' in\n" + c);
        }
        assertEquals(List.of(HaproxyPeer.MAXCONN, HaproxyPeer.MAXCONN), lines.stream()
                .filter(l -> l.startsWith("maxconn ")).map(l -> Integer.parseInt(l.substring(8))).toList(),
                "global and defaults, as the reverse proxy's (2 × maxconn + 17 files)");
        assertEquals(1, lines.stream().filter(l -> l.startsWith("mode ")).count(), c);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("http") || l.startsWith("option")), "nothing of HTTP: " + c);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("log")), "no logging: " + c);
        assertEquals(c.lines().filter(l -> !l.contains("mode ") && !l.contains("http-reuse")).toList(),
                HAPROXY.config("18084", "9998", "/d").lines()
                        .filter(l -> !l.contains("mode ") && !l.contains("http-reuse")).toList(),
                "otherwise the reverse proxy's config, line for line");
        // The same binary, the same command line, the same version, as the reverse proxy.
        Path dir = Path.of("/tmp/run/logs/m4");
        assertEquals(HAPROXY.command(dir), HAPROXY_TCP.command(dir));
        assertEquals(List.of("/usr/sbin/haproxy", "-db", "-f", "/tmp/run/logs/m4/haproxy.cfg"), HAPROXY_TCP.command(dir));
        assertEquals("HAProxy", HAPROXY_TCP.name());
        assertEquals(Optional.of("2.6.12-1+deb12u4"), HAPROXY_TCP.version("HAProxy version 2.6.12-1+deb12u4 2026/10/17"));
        assertEquals(HAPROXY.bindFailure(), HAPROXY_TCP.bindFailure());
        assertTrue(HAPROXY_TCP.switchesCounted(), "one process with its threads for its whole life");
    }

    @Test
    void squidRunsOneWorkerWithoutACacheForLocalClientsAndTunnelsOnlyToTheSink() {
        String c = SQUID.config("18082", "40000", "/tmp/run/logs/m2");
        List<String> lines = c.lines().map(String::strip).toList();
        for (String directive : List.of("http_port 127.0.0.1:18082", "workers 1", "cache deny all",
                "acl CONNECT method CONNECT", "acl tunnel_ports port 40000", "http_access deny CONNECT !tunnel_ports",
                "http_access allow localhost", "http_access deny all", "access_log none", "pid_filename none",
                "coredump_dir /tmp/run/logs/m2", "shutdown_lifetime 0 seconds")) {
            assertTrue(lines.contains(directive), () -> "no '" + directive + "' in\n" + c);
        }
        // The deny of other CONNECT ports comes before the allow (Squid takes the first rule that matches).
        assertTrue(lines.indexOf("http_access deny CONNECT !tunnel_ports") < lines.indexOf("http_access allow localhost"));
        assertEquals("http_access deny all", lines.stream().filter(l -> l.startsWith("http_access")).reduce((a, b) -> b)
                .orElseThrow(), "everyone else is denied last");
        int files = number(c, "max_filedescriptors (\\d+)");
        assertTrue(files >= 2 * (BenchOptions.MAX_PROXY_CONNECTIONS + 100) && files < OPEN_FILES, "fds " + files);
        assertFalse(c.contains("/var/"), "nothing in the system's directories: " + c);
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("cache_dir")), "no disk cache");
    }

    @Test
    void tinyproxyListensOnLoopbackForLocalClientsTunnelsOnlyToTheSinkAndTakesAThousandClients() {
        String c = TINYPROXY.config("18083", "40000", "/tmp/run/logs/m3");
        List<String> lines = c.lines().map(String::strip).toList();
        for (String directive : List.of("Port 18083", "Listen 127.0.0.1", "Allow 127.0.0.1", "ConnectPort 40000",
                "LogLevel Warning")) {
            assertTrue(lines.contains(directive), () -> "no '" + directive + "' in\n" + c);
        }
        int clients = number(c, "MaxClients (\\d+)");
        assertEquals(TinyproxyPeer.MAX_CLIENTS, clients);
        assertTrue(clients > BenchOptions.MAX_PROXY_CONNECTIONS, "MaxClients " + clients);
        assertTrue(2 * clients < OPEN_FILES, "a client and a server connection each");
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("Syslog") || l.startsWith("LogFile")
                || l.startsWith("User") || l.startsWith("PidFile")), "logs to its output, no syslog, no files: " + c);
        assertFalse(TINYPROXY.switchesCounted(), "a thread per connection: the ended threads' switches are lost");
        assertTrue(SQUID.switchesCounted() && NGINX.switchesCounted() && HAPROXY.switchesCounted());
    }

    @Test
    void bothRunInTheForegroundSoTheHarnessOwnsTheProcess() {
        Path dir = Path.of("/tmp/run/logs/m1");
        List<String> nginx = NGINX.command(dir);
        assertEquals("/usr/sbin/nginx", nginx.get(0));
        assertEquals(List.of("-p", "/tmp/run/logs/m1/", "-c", "/tmp/run/logs/m1/nginx.conf", "-e",
                "/tmp/run/logs/m1/nginx.log"), nginx.subList(1, nginx.size()));
        assertTrue(NGINX.config("1", "2", "/d").lines().anyMatch(l -> l.equals("daemon off;")));
        List<String> haproxy = HAPROXY.command(dir);
        assertEquals(List.of("/usr/sbin/haproxy", "-db", "-f", "/tmp/run/logs/m1/haproxy.cfg"), haproxy);
        assertFalse(haproxy.contains("-D"), "-D would put it in the background");
        assertEquals(List.of("/usr/sbin/squid", "-N", "-d", "1", "-f", "/tmp/run/logs/m1/squid.conf"), SQUID.command(dir));
        assertEquals(List.of("/usr/bin/tinyproxy", "-d", "-c", "/tmp/run/logs/m1/tinyproxy.conf"),
                TINYPROXY.command(dir));
    }

    @Test
    void theReadmeShowsBothConfigsAsTheHarnessWritesThem() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        assertTrue(readme.contains("```nginx\n" + NGINX.config("PORT", "BACKEND", "DIR") + "```\n"),
                "benchmarks/README.md must show NginxPeer's config with PORT, BACKEND and DIR");
        assertTrue(readme.contains("```haproxy\n" + HAPROXY.config("PORT", "BACKEND", "DIR") + "```\n"),
                "benchmarks/README.md must show HaproxyPeer's config with PORT, BACKEND and DIR");
        assertTrue(readme.contains("```haproxy\n" + HAPROXY_TCP.config("PORT", "BACKEND", "DIR") + "```\n"),
                "benchmarks/README.md must show HaproxyTcpPeer's config with PORT, BACKEND and DIR");
        assertTrue(readme.contains("`nginx -p DIR/ -c DIR/nginx.conf -e DIR/nginx.log`"), "nginx's command");
        assertTrue(readme.contains("`haproxy -db -f DIR/haproxy.cfg`"), "HAProxy's command");
        assertTrue(readme.contains("keepalive(" + ServerKind.weftProxyKeepalive() + ")"), "Weft's keepalive");
        assertTrue(readme.contains("```squid\n" + SQUID.config("PORT", "SINK", "DIR") + "```\n"),
                "benchmarks/README.md must show SquidPeer's config with PORT, SINK and DIR");
        assertTrue(readme.contains("```tinyproxy\n" + TINYPROXY.config("PORT", "SINK", "DIR") + "```\n"),
                "benchmarks/README.md must show TinyproxyPeer's config with PORT and SINK");
        assertTrue(readme.contains("`squid -N -d 1 -f DIR/squid.conf`"), "Squid's command");
        assertTrue(readme.contains("`tinyproxy -d -c DIR/tinyproxy.conf`"), "tinyproxy's command");
        assertTrue(readme.contains(Wrk.forwardScript(0).replace(":0", ":BACKEND")), "wrk's script");
    }

    @Test
    void versionsAreReadFromWhatTheBinariesPrint() {
        assertEquals(Optional.of("1.22.1"), NGINX.version("nginx version: nginx/1.22.1\n"));
        assertEquals(Optional.of("2.6.12-1+deb12u4"), HAPROXY.version(
                "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\nStatus: long-term supported\n"));
        assertEquals(Optional.empty(), NGINX.version("command not found"));
        assertEquals(Optional.of("5.7"), SQUID.version("Squid Cache: Version 5.7\nService Name: squid\n"));
        assertEquals(Optional.of("1.11.1"), TINYPROXY.version("tinyproxy 1.11.1\n"));
        assertEquals(Optional.empty(), TINYPROXY.version("tinyproxy: not found"));
    }

    @Test
    void aMissingBinaryIsOneSentenceNamingThePackage() {
        String nginx = NGINX.missing(ServerKind.NGINX_PROXY);
        assertTrue(nginx.startsWith("nginx-proxy needs /usr/sbin/nginx"), nginx);
        assertTrue(nginx.contains("nginx-light") && nginx.endsWith(".") && !nginx.contains("\n"), nginx);
        assertTrue(HAPROXY.missing(ServerKind.HAPROXY_PROXY).contains("apt-get install haproxy"));
        assertEquals(Optional.empty(), ProxyPeer.of(ServerKind.WEFT_PROXY));
        assertEquals(Optional.empty(), ProxyPeer.of(ServerKind.DIRECT));
        assertTrue(ProxyPeer.of(ServerKind.NGINX_PROXY).orElseThrow() instanceof NginxPeer);
        assertTrue(ProxyPeer.of(ServerKind.HAPROXY_PROXY).orElseThrow() instanceof HaproxyPeer);
        assertTrue(ProxyPeer.of(ServerKind.SQUID).orElseThrow() instanceof SquidPeer);
        assertTrue(ProxyPeer.of(ServerKind.TINYPROXY).orElseThrow() instanceof TinyproxyPeer);
        assertTrue(ProxyPeer.of(ServerKind.HAPROXY_TCP).orElseThrow() instanceof HaproxyTcpPeer);
        assertEquals(Optional.empty(), ProxyPeer.of(ServerKind.WEFT_FWD));
        assertEquals(Optional.empty(), ProxyPeer.of(ServerKind.WEFT_TCP_PROXY));
        String tcp = HAPROXY_TCP.missing(ServerKind.HAPROXY_TCP);
        assertTrue(tcp.startsWith("haproxy-tcp needs /usr/sbin/haproxy") && tcp.contains("apt-get install haproxy"), tcp);
        String squid = SQUID.missing(ServerKind.SQUID);
        assertTrue(squid.startsWith("squid needs /usr/sbin/squid") && squid.contains("apt-get install squid"), squid);
    }

    private static int number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), () -> "no " + regex + " in\n" + text);
        return Integer.parseInt(m.group(1));
    }

    private static int count(String text, String regex) {
        return text.split(regex, -1).length - 1;
    }
}
