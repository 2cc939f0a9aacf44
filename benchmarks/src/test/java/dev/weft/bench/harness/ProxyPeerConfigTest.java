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

/** The nginx and HAProxy configs the harness writes: what they say, and that the README shows them as they are. */
class ProxyPeerConfigTest {

    private static final NginxPeer NGINX = new NginxPeer();
    private static final HaproxyPeer HAPROXY = new HaproxyPeer();
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
    }

    @Test
    void theReadmeShowsBothConfigsAsTheHarnessWritesThem() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        assertTrue(readme.contains("```nginx\n" + NGINX.config("PORT", "BACKEND", "DIR") + "```\n"),
                "benchmarks/README.md must show NginxPeer's config with PORT, BACKEND and DIR");
        assertTrue(readme.contains("```haproxy\n" + HAPROXY.config("PORT", "BACKEND", "DIR") + "```\n"),
                "benchmarks/README.md must show HaproxyPeer's config with PORT, BACKEND and DIR");
        assertTrue(readme.contains("`nginx -p DIR/ -c DIR/nginx.conf -e DIR/nginx.log`"), "nginx's command");
        assertTrue(readme.contains("`haproxy -db -f DIR/haproxy.cfg`"), "HAProxy's command");
        assertTrue(readme.contains("keepalive(" + ServerKind.weftProxyKeepalive() + ")"), "Weft's keepalive");
    }

    @Test
    void versionsAreReadFromWhatTheBinariesPrint() {
        assertEquals(Optional.of("1.22.1"), NGINX.version("nginx version: nginx/1.22.1\n"));
        assertEquals(Optional.of("2.6.12-1+deb12u4"), HAPROXY.version(
                "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\nStatus: long-term supported\n"));
        assertEquals(Optional.empty(), NGINX.version("command not found"));
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
