package dev.weft.examples.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.examples.lb.Value.Var;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * nginx's inheritance of the proxy directives: a single value comes from the nearest level that
 * sets it; {@code proxy_set_header} comes as a whole from the nearest level that has any.
 */
class InheritanceTest {

    private static List<Location> locations(String text) throws ConfigException {
        return LbConfig.parse(text, "conf/lb.conf").servers().get(0).locations();
    }

    private static List<String> headerNames(Location l) {
        return l.proxy().headers().stream().map(ProxyHeader::name).toList();
    }

    @Test
    void serverHeadersReachOnlyTheLocationsThatSetNone() throws Exception {
        List<Location> l = locations("""
                server {
                    listen 8080;
                    proxy_set_header Host $host;
                    proxy_set_header X-Real-IP $remote_addr;
                    location /inherits/ { proxy_pass http://127.0.0.1:8081; }
                    location /own/ {
                        proxy_pass http://127.0.0.1:8081;
                        proxy_set_header X-Only $scheme;
                    }
                    location /timeouts-only/ { proxy_pass http://127.0.0.1:8081; proxy_read_timeout 5s; }
                }
                """);
        assertEquals(List.of("Host", "X-Real-IP"), headerNames(l.get(0)));
        assertEquals(List.of("X-Only"), headerNames(l.get(1)));
        assertEquals(List.of("Host", "X-Real-IP"), headerNames(l.get(2)));
        assertEquals(List.of(new ProxyHeader("X-Only", Value.of(new Var("scheme"))),
                new ProxyHeader("Host", Value.of(new Var("proxy_host")))), l.get(1).proxy().effectiveHeaders());
    }

    @Test
    void topLevelHeadersReachServersAndLocationsThatSetNone() throws Exception {
        List<Location> l = locations("""
                proxy_set_header X-Top 1;
                server {
                    listen 8080;
                    location /a/ { proxy_pass http://127.0.0.1:8081; }
                    location /b/ { proxy_pass http://127.0.0.1:8081; proxy_set_header X-B 2; }
                }
                """);
        assertEquals(List.of("X-Top"), headerNames(l.get(0)));
        assertEquals(List.of("X-B"), headerNames(l.get(1)));

        List<Location> shadowed = locations("""
                proxy_set_header X-Top 1;
                server {
                    listen 8080;
                    proxy_set_header X-Server 2;
                    location / { proxy_pass http://127.0.0.1:8081; }
                }
                """);
        assertEquals(List.of("X-Server"), headerNames(shadowed.get(0)));
    }

    @Test
    void eachTimeoutComesFromTheNearestLevelThatSetsIt() throws Exception {
        List<Location> l = locations("""
                proxy_connect_timeout 10s;
                server {
                    listen 8080;
                    proxy_read_timeout 30s;
                    location /a/ { proxy_pass http://127.0.0.1:8081; proxy_send_timeout 5s; }
                    location /b/ { proxy_pass http://127.0.0.1:8081; proxy_connect_timeout 1s; proxy_read_timeout 2s; }
                    location /c/ { proxy_pass http://127.0.0.1:8081; }
                }
                """);
        ProxySettings a = l.get(0).proxy();
        assertEquals(List.of(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(30)),
                List.of(a.connectTimeout(), a.sendTimeout(), a.readTimeout()));
        ProxySettings b = l.get(1).proxy();
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(2)),
                List.of(b.connectTimeout(), b.sendTimeout(), b.readTimeout()));
        ProxySettings c = l.get(2).proxy();
        assertEquals(List.of(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(30)),
                List.of(c.connectTimeout(), c.sendTimeout(), c.readTimeout()));
    }

    @Test
    void aValueSetToTheDefaultStillStopsInheritance() throws Exception {
        List<Location> l = locations("""
                server {
                    listen 8080;
                    proxy_connect_timeout 5s;
                    proxy_http_version 1.0;
                    location / { proxy_pass http://127.0.0.1:8081; proxy_connect_timeout 60s; proxy_http_version 1.1; }
                }
                """);
        assertEquals(Duration.ofSeconds(60), l.get(0).proxy().connectTimeout());
        assertEquals("1.1", l.get(0).proxy().httpVersion());
    }

    @Test
    void everyOtherSettingInheritsToo() throws Exception {
        List<Location> l = locations("""
                proxy_next_upstream error timeout http_502;
                proxy_ssl_trusted_certificate ca.pem;
                client_max_body_size 8m;
                server {
                    listen 8080;
                    proxy_next_upstream_tries 2;
                    proxy_next_upstream_timeout 15s;
                    proxy_ssl_verify on;
                    proxy_ssl_server_name on;
                    proxy_ssl_name backend.internal;
                    location /a/ { proxy_pass https://127.0.0.1:8443; }
                    location /b/ {
                        proxy_pass https://127.0.0.1:8443;
                        proxy_next_upstream off;
                        proxy_ssl_verify off;
                        client_max_body_size 100k;
                    }
                }
                """);
        ProxySettings a = l.get(0).proxy();
        assertEquals(EnumSet.of(NextUpstream.ERROR, NextUpstream.TIMEOUT, NextUpstream.HTTP_502), a.nextUpstream());
        assertEquals(2, a.nextUpstreamTries());
        assertEquals(Duration.ofSeconds(15), a.nextUpstreamTimeout());
        assertEquals(true, a.sslVerify());
        assertEquals(true, a.sslServerName());
        assertEquals(Value.literal("backend.internal"), a.sslName());
        assertEquals(Path.of("conf/ca.pem"), a.sslTrustedCertificate());
        assertEquals(8L * 1024 * 1024, l.get(0).clientMaxBodySize());
        ProxySettings b = l.get(1).proxy();
        assertEquals(EnumSet.noneOf(NextUpstream.class), b.nextUpstream());
        assertEquals(false, b.sslVerify());
        assertEquals(2, b.nextUpstreamTries());
        assertEquals(100L * 1024, l.get(1).clientMaxBodySize());
    }

    @Test
    void topLevelDirectivesAfterTheServersStillApply() throws Exception {
        List<Location> l = locations("""
                server {
                    listen 8080;
                    location / { proxy_pass http://127.0.0.1:8081; }
                }
                proxy_read_timeout 3s;
                proxy_set_header X-Late 1;
                """);
        assertEquals(Duration.ofSeconds(3), l.get(0).proxy().readTimeout());
        assertEquals(List.of("X-Late"), headerNames(l.get(0)));
    }

    @Test
    void withNothingSetALocationGetsNginxDefaults() throws Exception {
        List<Location> l = locations("server { listen 8080; location / { proxy_pass http://127.0.0.1:8081; } }");
        assertEquals(ProxySettings.DEFAULTS, l.get(0).proxy());
        assertEquals(Location.DEFAULT_CLIENT_MAX_BODY_SIZE, l.get(0).clientMaxBodySize());
    }
}
