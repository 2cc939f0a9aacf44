package dev.weft.examples.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.examples.lb.Value.Literal;
import dev.weft.examples.lb.Value.Var;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Files the reader accepts, one test per family of directives, asserting the model they give. */
class GoodConfigTest {

    private static LbConfig parse(String text) throws ConfigException {
        return LbConfig.parse(text, "lb.conf");
    }

    /** One server on 8080 whose only location is {@code location}. */
    private static Location onlyLocation(String location) throws ConfigException {
        return parse("server {\n    listen 8080;\n    " + location + "\n}\n").servers().get(0).locations().get(0);
    }

    private static UpstreamBlock onlyUpstream(String body) throws ConfigException {
        return parse("upstream b {\n" + body + "\n}\nserver {\n    listen 8080;\n"
                + "    location / { proxy_pass http://b; }\n}\n").upstreams().get(0);
    }

    @Test
    void aCompleteNginxConfWithEventsAndHttpReadsLikeTheBareForm() throws Exception {
        String body = """
                upstream b { server 127.0.0.1:8081; }
                proxy_read_timeout 7s;
                server { listen 8080; location / { proxy_pass http://b; } }
                """;
        LbConfig wrapped = LbConfig.parse("events {\n}\nhttp {\n" + body + "}\n", "lb.conf");
        LbConfig bare = LbConfig.parse(body, "lb.conf");
        assertEquals(bare.upstreams().get(0).servers().get(0).address(),
                wrapped.upstreams().get(0).servers().get(0).address());
        assertEquals(Duration.ofSeconds(7), wrapped.servers().get(0).locations().get(0).proxy().readTimeout());
        assertEquals(bare.servers().get(0).locations().get(0).proxy(), wrapped.servers().get(0).locations().get(0).proxy());
        assertEquals(1, LbConfig.parse("http {\n" + body + "}\n", "lb.conf").servers().size());
    }

    @Test
    void upstreamServersTakeEveryParameterWithNginxDefaultsForTheRest() throws Exception {
        UpstreamBlock u = onlyUpstream("""
                    server 10.0.0.1;
                    server backend.example.com:8080 weight=5 max_fails=3 fail_timeout=1m30s max_conns=100;
                    server [::1]:8082 backup;
                    server 10.0.0.4:8083 down max_fails=0 fail_timeout=0;
                """);
        assertEquals(List.of(
                new UpstreamServer("10.0.0.1", 80, 1, 1, Duration.ofSeconds(10), false, false, 0, 2),
                new UpstreamServer("backend.example.com", 8080, 5, 3, Duration.ofSeconds(90), false, false, 100, 3),
                new UpstreamServer("::1", 8082, 1, 1, Duration.ofSeconds(10), true, false, 0, 4),
                new UpstreamServer("10.0.0.4", 8083, 1, 0, Duration.ZERO, false, true, 0, 5)), u.servers());
        assertEquals("[::1]:8082", u.servers().get(2).address());
        assertEquals(Balance.ROUND_ROBIN, u.balance());
        assertNull(u.keepalive());
        assertEquals(32, u.keepaliveOrDefault());
        assertNull(u.check());
    }

    @Test
    void eachBalancingMethodIsRead() throws Exception {
        assertEquals(Balance.LEAST_CONN, onlyUpstream("least_conn; server 127.0.0.1 backup; server 127.0.0.2;").balance());
        assertEquals(Balance.IP_HASH, onlyUpstream("ip_hash; server 127.0.0.1 down;").balance());

        UpstreamBlock hash = onlyUpstream("hash $remote_addr$http_x_tenant; server 127.0.0.1;");
        assertEquals(Balance.HASH, hash.balance());
        assertEquals(Value.of(new Var("remote_addr"), new Var("http_x_tenant")), hash.hashKey());
        assertFalse(hash.consistent());
        assertTrue(onlyUpstream("hash $request_uri consistent; server 127.0.0.1;").consistent());

        UpstreamBlock random = onlyUpstream("random; server 127.0.0.1;");
        assertEquals(Balance.RANDOM, random.balance());
        assertFalse(random.randomTwo());
        assertTrue(onlyUpstream("random two; server 127.0.0.1;").randomTwo());
        assertTrue(onlyUpstream("random two least_conn; server 127.0.0.1;").randomTwo());
        assertEquals(8, onlyUpstream("server 127.0.0.1; keepalive 8;").keepalive());
        assertEquals(0, onlyUpstream("server 127.0.0.1; keepalive 0;").keepaliveOrDefault());
    }

    @Test
    void aCheckTakesTheModuleDefaultsForWhatItDoesNotSay() throws Exception {
        assertEquals(Check.defaults(), onlyUpstream("server 127.0.0.1; check interval=30000;").check());
        assertEquals(new Check(Duration.ofMillis(5000), 1, 3, Duration.ofMillis(4000), "tcp", null, List.of(), false),
                onlyUpstream("server 127.0.0.1; check interval=5000 rise=1 fall=3 timeout=4000 default_down=false;")
                        .check());
        assertEquals(Duration.ofSeconds(3), onlyUpstream("server 127.0.0.1; check interval=3s timeout=500ms;")
                .check().interval());
    }

    @Test
    void anHttpCheckSendsItsRequestAndAcceptsTheListedClasses() throws Exception {
        Check plain = onlyUpstream("server 127.0.0.1; check type=http;").check();
        assertEquals("GET / HTTP/1.0\r\n\r\n", plain.httpSend());
        assertEquals(List.of("http_2xx", "http_3xx"), plain.expectAlive());

        Check custom = onlyUpstream("""
                    server 127.0.0.1;
                    check interval=5000 rise=1 fall=3 timeout=4000 type=http;
                    check_http_send "HEAD /health HTTP/1.1\\r\\nHost: b\\r\\n\\r\\n";
                    check_http_expect_alive http_4xx HTTP_2XX;
                """).check();
        assertEquals("HEAD /health HTTP/1.1\r\nHost: b\r\n\r\n", custom.httpSend());
        assertEquals(List.of("http_2xx", "http_4xx"), custom.expectAlive());
        assertTrue(custom.isAlive(204));
        assertTrue(custom.isAlive(404));
        assertFalse(custom.isAlive(302));
        assertFalse(custom.isAlive(503));
    }

    @Test
    void listenTakesEveryAddressFormAndParameter() throws Exception {
        ServerBlock s = parse("""
                server {
                    listen 8080;
                    listen 127.0.0.1:8081 default_server;
                    listen *:8082 proxy_protocol backlog=1024;
                    listen [::1]:8083;
                    listen localhost;
                    listen 8443 ssl;
                    ssl_certificate certs/lb.pem;
                    ssl_certificate_key certs/lb.key;
                    return 204;
                }
                """).servers().get(0);
        assertEquals(List.of(new Listen(null, 8080, false, false, false, 511, 2),
                new Listen("127.0.0.1", 8081, true, false, false, 511, 3),
                new Listen(null, 8082, false, false, true, 1024, 4),
                new Listen("::1", 8083, false, false, false, 511, 5),
                new Listen("localhost", 80, false, false, false, 511, 6),
                new Listen(null, 8443, false, true, false, 511, 7)), s.listens());
        assertEquals(List.of("*:8080", "127.0.0.1:8081", "*:8082", "[::1]:8083", "localhost:80", "*:8443"),
                s.listens().stream().map(Listen::socket).toList());
        assertEquals(Path.of("certs/lb.pem"), s.sslCertificate());
        assertEquals(Path.of("certs/lb.key"), s.sslCertificateKey());
    }

    @Test
    void aBacklogGivenOnOneListenIsCopiedToEveryListenOfThatSocket() throws Exception {
        LbConfig c = parse("""
                server { listen 8080; server_name a.example; return 204; }
                server { listen 8080 backlog=2048; server_name b.example; return 204; }
                server { listen 8081; return 204; }
                """);
        assertEquals(List.of(2048, 2048, 511),
                c.servers().stream().map(s -> s.listens().get(0).backlog()).toList());
    }

    @Test
    void serverNamesAreLowerCasedAndWildcardsKept() throws Exception {
        LbConfig c = parse("""
                server { listen 8080; server_name Example.COM *.example.com www.example.* .example.org ""; return 204; }
                server { listen 8080; server_name api.example.com; server_name _; return 204; }
                server { listen 8081; return 204; }
                """);
        assertEquals(List.of("example.com", "*.example.com", "www.example.*", ".example.org", ""),
                c.servers().get(0).serverNames());
        assertEquals(List.of("api.example.com", "_"), c.servers().get(1).serverNames());
        assertEquals(List.of(""), c.servers().get(2).serverNames());
    }

    @Test
    void oneNameMayBeUsedOnDifferentSockets() throws Exception {
        LbConfig c = parse("""
                server { listen 8080; server_name example.com; return 204; }
                server { listen 127.0.0.1:8080; server_name example.com; return 204; }
                server { listen 8081 default_server; server_name example.com; return 204; }
                """);
        assertEquals(3, c.servers().size());
    }

    @Test
    void locationsAreExactOrPrefixAndPickedAsNginxPicksThem() throws Exception {
        ServerBlock s = parse("""
                server {
                    listen 8080;
                    location / { return 200 root; }
                    location = /exact { return 200 exact; }
                    location =/attached { return 200 attached; }
                    location ^~ /static/ { return 200 static; }
                    location /static/img/ { return 200 img; }
                    location /exact { return 200 prefix; }
                }
                """).servers().get(0);
        assertEquals(List.of(false, true, true, false, false, false), s.locations().stream().map(Location::exact).toList());
        assertEquals(List.of("/", "/exact", "/attached", "/static/", "/static/img/", "/exact"),
                s.locations().stream().map(Location::prefix).toList());
        Map<String, String> picks = Map.of("/", "root", "/exact", "exact", "/exact/more", "prefix",
                "/attached", "attached", "/attached/x", "root", "/static/a.css", "static", "/static/img/a.png", "img");
        picks.forEach((path, body) -> assertEquals(Value.literal(body), s.location(path).ret().text(), path));
        assertNull(parse("server { listen 8080; location /api/ { return 204; } }").servers().get(0).location("/"));
    }

    @Test
    void proxyPassNamesAnUpstreamOrAHostAndKeepsTheUriPart() throws Exception {
        String upstream = "upstream Backend { server 127.0.0.1:8081; }\n";
        assertEquals(new ProxyPass("http", "Backend", "backend", 80, null),
                parse(upstream + "server { listen 8080; location / { proxy_pass http://backend; } }")
                        .servers().get(0).locations().get(0).proxyPass());
        assertEquals(new ProxyPass("https", "Backend", "Backend", 443, "/api/"),
                parse(upstream + "server { listen 8080; location / { proxy_pass HTTPS://Backend/api/; } }")
                        .servers().get(0).locations().get(0).proxyPass());
        assertEquals(new ProxyPass("http", null, "127.0.0.1", 8081, "/"),
                onlyLocation("location /name/ { proxy_pass http://127.0.0.1:8081/; }").proxyPass());
        assertEquals(new ProxyPass("http", null, "::1", 8081, null),
                onlyLocation("location / { proxy_pass http://[::1]:8081; }").proxyPass());
        assertEquals(new ProxyPass("https", null, "api.example.com", 443, "/v1"),
                onlyLocation("location / { proxy_pass https://api.example.com/v1; }").proxyPass());
        assertEquals(new ProxyPass("http", null, "localhost", 80, null),
                onlyLocation("location / { proxy_pass http://localhost; }").proxyPass());
        assertEquals(new ProxyPass("http", null, "10.0.0.7", 80, null),
                onlyLocation("location / { proxy_pass http://10.0.0.7; }").proxyPass());
        assertEquals(new ProxyPass("http", null, "backend", 8081, null),
                onlyLocation("location / { proxy_pass http://backend:8081; }").proxyPass());
    }

    @Test
    void proxyHostIsTheHostWithItsPortUnlessThePortIsTheSchemes() {
        assertEquals("backend", new ProxyPass("http", "backend", "backend", 80, null).proxyHost());
        assertEquals("127.0.0.1:8081", new ProxyPass("http", null, "127.0.0.1", 8081, null).proxyHost());
        assertEquals("example.com", new ProxyPass("https", null, "example.com", 443, null).proxyHost());
        assertEquals("example.com:80", new ProxyPass("https", null, "example.com", 80, null).proxyHost());
        assertEquals("[::1]:8081", new ProxyPass("http", null, "::1", 8081, null).proxyHost());
        assertTrue(new ProxyPass("http", null, "h", 80, "/").hasUri());
        assertFalse(new ProxyPass("http", null, "h", 80, null).hasUri());
    }

    @Test
    void anUpstreamMayBeDefinedAfterTheServerThatUsesIt() throws Exception {
        LbConfig c = parse("server { listen 8080; location / { proxy_pass http://late; } }\n"
                + "upstream late { server 127.0.0.1:8081; }\n");
        assertEquals("late", c.servers().get(0).locations().get(0).proxyPass().upstreamName());
        assertSame(c.upstreams().get(0), c.upstream("LATE"));
        assertNull(c.upstream("early"));
    }

    @Test
    void returnTakesACodeATextOrAUrl() throws Exception {
        assertEquals(new Return(204, null, 3), onlyLocation("location / { return 204; }").ret());
        Return redirect = onlyLocation("location / { return 301 https://$host$request_uri; }").ret();
        assertEquals(Value.of(new Literal("https://"), new Var("host"), new Var("request_uri")), redirect.text());
        assertTrue(redirect.isRedirect());
        Return url = onlyLocation("location / { return https://example.com/; }").ret();
        assertEquals(302, url.code());
        assertEquals(Value.literal("https://example.com/"), url.text());
        Return text = onlyLocation("location / { return 200 \"ok from $server_name\\n\"; }").ret();
        assertEquals("ok from lb\n", text.text().evaluate(Map.of("server_name", "lb")::get));
        assertFalse(text.isRedirect());
        assertEquals(0, onlyLocation("location / { return 0; }").ret().code());
        assertEquals(999, onlyLocation("location / { return 999; }").ret().code());
        ServerBlock s = parse("server { listen 8080; return 444; }").servers().get(0);
        assertEquals(444, s.ret().code());
        assertTrue(s.locations().isEmpty());
    }

    @Test
    void everyProxyDirectiveIsRead() throws Exception {
        Location l = onlyLocation("""
                location / {
                        proxy_pass https://backend.example.com;
                        proxy_set_header Host $host:$proxy_port;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header Accept-Encoding "";
                        proxy_connect_timeout 500ms;
                        proxy_send_timeout 2m;
                        proxy_read_timeout 1h;
                        proxy_next_upstream error timeout invalid_header http_500 http_502 http_503 http_504
                                            http_403 http_404 http_429 non_idempotent;
                        proxy_next_upstream_tries 3;
                        proxy_next_upstream_timeout 10s;
                        proxy_http_version 1.0;
                        proxy_ssl_verify on;
                        proxy_ssl_trusted_certificate /etc/ssl/ca.pem;
                        proxy_ssl_server_name ON;
                        proxy_ssl_name ${proxy_host}.internal;
                        client_max_body_size 64k;
                    }""");
        ProxySettings p = l.proxy();
        assertEquals(List.of(new ProxyHeader("Host", Value.of(new Var("host"), new Literal(":"), new Var("proxy_port"))),
                new ProxyHeader("X-Forwarded-Proto", Value.of(new Var("scheme"))),
                new ProxyHeader("Accept-Encoding", Value.literal(""))), p.headers());
        assertEquals(Duration.ofMillis(500), p.connectTimeout());
        assertEquals(Duration.ofMinutes(2), p.sendTimeout());
        assertEquals(Duration.ofHours(1), p.readTimeout());
        assertEquals(EnumSet.allOf(NextUpstream.class), p.nextUpstream());
        assertEquals(3, p.nextUpstreamTries());
        assertEquals(Duration.ofSeconds(10), p.nextUpstreamTimeout());
        assertEquals("1.0", p.httpVersion());
        assertTrue(p.sslVerify());
        assertEquals(Path.of("/etc/ssl/ca.pem"), p.sslTrustedCertificate());
        assertTrue(p.sslServerName());
        assertEquals(Value.of(new Var("proxy_host"), new Literal(".internal")), p.sslName());
        assertEquals(64 * 1024, l.clientMaxBodySize());
    }

    @Test
    void proxyNextUpstreamOffIsTheEmptySet() throws Exception {
        assertEquals(EnumSet.noneOf(NextUpstream.class),
                onlyLocation("location / { proxy_pass http://127.0.0.1:8081; proxy_next_upstream off; }")
                        .proxy().nextUpstream());
    }

    @Test
    void effectiveHeadersAddHostUnlessSetAndDropEmptyOnes() throws Exception {
        ProxySettings none = onlyLocation("location / { proxy_pass http://127.0.0.1:8081; }").proxy();
        assertEquals(List.of(new ProxyHeader("Host", Value.of(new Var("proxy_host")))), none.effectiveHeaders());
        ProxySettings some = onlyLocation("location / { proxy_pass http://127.0.0.1:8081;"
                + " proxy_set_header X-Real-IP $remote_addr; proxy_set_header Accept-Encoding \"\"; }").proxy();
        assertEquals(List.of(new ProxyHeader("X-Real-IP", Value.of(new Var("remote_addr"))),
                new ProxyHeader("Host", Value.of(new Var("proxy_host")))), some.effectiveHeaders());
        ProxySettings host = onlyLocation("location / { proxy_pass http://127.0.0.1:8081; proxy_set_header HOST $host; }")
                .proxy();
        assertEquals(List.of(new ProxyHeader("HOST", Value.of(new Var("host")))), host.effectiveHeaders());
    }

    @Test
    void variablesAreReadInBothFormsInAnyCaseAndEvaluatedPerRequest() throws Exception {
        Value v = onlyLocation("location / { return 200 \"$HOST-${remote_port}x$http_X_Real_IP!\"; }").ret().text();
        assertEquals(List.of(new Var("host"), new Literal("-"), new Var("remote_port"), new Literal("x"),
                new Var("http_x_real_ip"), new Literal("!")), v.parts());
        assertEquals("x-real-ip", ((Var) v.parts().get(4)).headerName());
        assertNull(new Var("host").headerName());
        assertEquals("h-1234x!", v.evaluate(Map.of("host", "h", "remote_port", "1234")::get));
        assertEquals("${host}-${remote_port}x${http_x_real_ip}!", v.toString());
        assertEquals(Value.literal("ab"), Value.of(new Literal("a"), new Literal(""), new Literal("b")));
        assertTrue(Value.literal("ab").isLiteral());
        assertFalse(v.isLiteral());
    }

    @Test
    void timesAndSizesTakeNginxUnits() throws Exception {
        String loc = "location / { proxy_pass http://127.0.0.1:8081; proxy_read_timeout %s; client_max_body_size %s; }";
        Location a = onlyLocation(String.format(loc, "1m30s", "10m"));
        assertEquals(Duration.ofSeconds(90), a.proxy().readTimeout());
        assertEquals(10L * 1024 * 1024, a.clientMaxBodySize());
        Location b = onlyLocation(String.format(loc, "30", "1g"));
        assertEquals(Duration.ofSeconds(30), b.proxy().readTimeout());
        assertEquals(1024L * 1024 * 1024, b.clientMaxBodySize());
        Location c = onlyLocation(String.format(loc, "\"1d 2h\"", "512"));
        assertEquals(Duration.ofHours(26), c.proxy().readTimeout());
        assertEquals(512, c.clientMaxBodySize());
    }

    @Test
    void theModelIsImmutable() throws Exception {
        LbConfig c = LbConfig.read(CaseStudyConfigTest.FILE);
        assertThrows(UnsupportedOperationException.class, () -> c.servers().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.upstreams().get(0).servers().clear());
        assertThrows(UnsupportedOperationException.class,
                () -> c.servers().get(0).locations().get(0).proxy().headers().clear());
        assertThrows(UnsupportedOperationException.class,
                () -> c.servers().get(0).locations().get(0).proxy().nextUpstream().clear());
    }
}
