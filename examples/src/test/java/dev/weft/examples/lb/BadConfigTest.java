package dev.weft.examples.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The catalogue of files the reader refuses: each row is a file's text and the exact sentence it
 * must be refused with. A new refusal gets a row here.
 */
class BadConfigTest {

    private record Row(String name, String text, String message) {
    }

    /** A location that is fine, for rows about something else. */
    private static final String OK_LOCATION = "    location / { proxy_pass http://127.0.0.1:8081; }\n";

    private static String server(String... lines) {
        StringBuilder b = new StringBuilder("server {\n");
        for (String l : lines) {
            b.append("    ").append(l).append('\n');
        }
        return b.append("}\n").toString();
    }

    private static final List<Row> ROWS = List.of(
            // Syntax: braces, semicolons, quotes, words.
            new Row("unknown directive", server("listen 8080;", "foo bar;", OK_LOCATION.strip()),
                    "unknown directive \"foo\" in lb.conf:3"),
            new Row("a directive nginx has but this reader does not", server("listen 8080;", "root /srv;"),
                    "unknown directive \"root\" in lb.conf:3"),
            new Row("missing semicolon before a closing brace", """
                    server {
                        listen 8080;
                        location / {
                            proxy_pass http://127.0.0.1:8081
                        }
                    }
                    """, "unexpected \"}\" in lb.conf:5"),
            new Row("an unclosed block", """
                    server {
                        listen 8080;
                        location / { proxy_pass http://127.0.0.1:8081; }
                    """, "unexpected end of file, expecting \"}\" in lb.conf:3"),
            new Row("a closing brace too many", """
                    server {
                        listen 8080;
                        location / { proxy_pass http://127.0.0.1:8081; }
                    }
                    }
                    """, "unexpected \"}\" in lb.conf:5"),
            new Row("a file ending inside a directive", "server {\n    listen 8080",
                    "unexpected end of file, expecting \";\" or \"}\" in lb.conf:2"),
            new Row("a file ending inside a quoted word", "server {\n    server_name \"example.com;\n}\n",
                    "unexpected end of file, expecting \";\" or \"}\" in lb.conf:3"),
            new Row("a semicolon without a directive", "server {\n    listen 8080;;\n}\n",
                    "unexpected \";\" in lb.conf:2"),
            new Row("a block without a directive", "{\n}\n", "unexpected \"{\" in lb.conf:1"),
            new Row("a quoted word running into the next", server("server_name \"a\"b;"),
                    "unexpected \"b\" in lb.conf:2"),
            new Row("a brace inside an unquoted word does not close", """
                    server {
                        listen 8080;
                        location / { return 204}
                    }
                    """, "unexpected \"}\" in lb.conf:4"),
            new Row("a word longer than 4096 characters", server("server_name " + "a".repeat(5000) + ";"),
                    "too long parameter \"aaaaaaaaaa...\" started in lb.conf:2"),
            new Row("an unterminated quote running past 4096 characters",
                    server("server_name \"" + "a".repeat(5000)),
                    "too long parameter, probably missing terminating \"\"\" character in lb.conf:2"),
            new Row("an empty file", "# nothing\n", "no \"server\" is defined in lb.conf:1"),

            // Directives in the wrong place or in the wrong shape.
            new Row("proxy_pass at server level", server("listen 8080;", "proxy_pass http://127.0.0.1:8081;",
                    OK_LOCATION.strip()), "\"proxy_pass\" directive is not allowed here in lb.conf:3"),
            new Row("listen in a location", server("listen 8080;", "location / {", "    listen 8081;", "}"),
                    "\"listen\" directive is not allowed here in lb.conf:4"),
            new Row("a nested location", server("listen 8080;", "location / {", "    location /a { return 200; }",
                    "}"), "\"location\" directive is not allowed here in lb.conf:4"),
            new Row("upstream inside a server", server("listen 8080;", "upstream b { server 127.0.0.1; }"),
                    "\"upstream\" directive is not allowed here in lb.conf:3"),
            new Row("a balancing method in a server", server("listen 8080;", "least_conn;"),
                    "\"least_conn\" directive is not allowed here in lb.conf:3"),
            new Row("return at the top level", "return 200;\n", "\"return\" directive is not allowed here in lb.conf:1"),
            new Row("a server beside http in an nginx.conf", "http {\n}\nserver {\n}\n",
                    "\"server\" directive is not allowed here in lb.conf:3"),
            new Row("http inside the top level's http directives", "proxy_read_timeout 5s;\nhttp {\n}\n",
                    "\"http\" directive is not allowed here in lb.conf:2"),
            new Row("two http blocks", "http {\n    " + server("listen 8080;", "return 204;").replace("\n", "\n    ")
                    + "}\nhttp {\n}\n", "\"http\" directive is duplicate in lb.conf:7"),
            new Row("a directive inside events", "events {\n    worker_connections 1024;\n}\n",
                    "unknown directive \"worker_connections\" in lb.conf:2"),
            new Row("a block directive without its block", "server;\n",
                    "directive \"server\" has no opening \"{\" in lb.conf:1"),
            new Row("a simple directive with a block", server("listen 8080 {", "}"),
                    "directive \"listen\" is not terminated by \";\" in lb.conf:2"),
            new Row("an upstream server line given a block", "upstream b {\n    server 127.0.0.1 {\n",
                    "directive \"server\" is not terminated by \";\" in lb.conf:2"),
            new Row("a directive with too few arguments", server("listen 8080;", "proxy_set_header Host;"),
                    "invalid number of arguments in \"proxy_set_header\" directive in lb.conf:3"),
            new Row("a directive with too many arguments", server("listen 8080;", "proxy_read_timeout 5s 6s;"),
                    "invalid number of arguments in \"proxy_read_timeout\" directive in lb.conf:3"),

            // Duplicates.
            new Row("a timeout set twice at one level", server("listen 8080;", "proxy_read_timeout 5s;",
                    "proxy_read_timeout 6s;"), "\"proxy_read_timeout\" directive is duplicate in lb.conf:4"),
            new Row("proxy_pass twice", server("listen 8080;", "location / {",
                    "    proxy_pass http://127.0.0.1:8081;", "    proxy_pass http://127.0.0.1:8082;", "}"),
                    "\"proxy_pass\" directive is duplicate in lb.conf:5"),
            new Row("return twice", server("listen 8080;", "return 200;", "return 204;"),
                    "\"return\" directive is duplicate in lb.conf:4"),
            new Row("proxy_next_upstream twice", server("listen 8080;", "proxy_next_upstream error;",
                    "proxy_next_upstream timeout;"), "\"proxy_next_upstream\" directive is duplicate in lb.conf:4"),
            new Row("keepalive twice", "upstream b {\n    server 127.0.0.1;\n    keepalive 8;\n    keepalive 16;\n}\n",
                    "\"keepalive\" directive is duplicate in lb.conf:4"),
            new Row("check twice", "upstream b {\n    server 127.0.0.1;\n    check interval=1000;\n"
                    + "    check interval=2000;\n}\n", "\"check\" directive is duplicate in lb.conf:4"),
            new Row("ssl_certificate twice", server("listen 8443 ssl;", "ssl_certificate a.pem;",
                    "ssl_certificate b.pem;"), "\"ssl_certificate\" directive is duplicate in lb.conf:4"),
            new Row("two upstreams of one name", "upstream b {\n    server 127.0.0.1;\n}\nupstream B {\n"
                    + "    server 127.0.0.1;\n}\n", "duplicate upstream \"B\" in lb.conf:4"),
            new Row("two locations of one prefix", server("listen 8080;", "location /a { return 200; }",
                    "location /a { return 204; }"), "duplicate location \"/a\" in lb.conf:4"),
            new Row("a header set twice at one level", server("listen 8080;", "proxy_set_header Host $host;",
                    "proxy_set_header host example.com;"),
                    "duplicate header \"host\" in \"proxy_set_header\" directive in lb.conf:4"),
            new Row("a listen parameter twice", server("listen 8080 ssl ssl;"),
                    "duplicate parameter \"ssl\" in lb.conf:2"),
            new Row("an upstream server parameter twice", "upstream b {\n    server 127.0.0.1 weight=1 weight=2;\n}\n",
                    "duplicate parameter \"weight=2\" in lb.conf:2"),
            new Row("a next-upstream value twice", server("listen 8080;", "proxy_next_upstream error error;"),
                    "duplicate value \"error\" in \"proxy_next_upstream\" directive in lb.conf:3"),

            // Variables.
            new Row("an unknown variable", server("listen 8080;", "proxy_set_header X-Foo $foo;"),
                    "unknown \"foo\" variable in lb.conf:3"),
            new Row("an unknown variable in braces", server("listen 8080;", "return 200 \"${request_method}\";"),
                    "unknown \"request_method\" variable in lb.conf:3"),
            new Row("a regex capture", server("listen 8080;", "return 200 $1;"), "unknown \"1\" variable in lb.conf:3"),
            new Row("a header variable without a header", server("listen 8080;", "return 200 $http_;"),
                    "unknown \"http_\" variable in lb.conf:3"),
            new Row("a dollar without a name", server("listen 8080;", "return 200 \"5 $\";"),
                    "invalid variable name in lb.conf:3"),
            new Row("a variable with its bracket open", server("listen 8080;", "return 200 \"${host\";"),
                    "the closing bracket in \"host\" variable is missing in lb.conf:3"),

            // Upstreams.
            new Row("an undefined upstream", server("listen 8080;", "location / {", "    proxy_pass http://nope;", "}"),
                    "host not found in upstream \"nope\" in lb.conf:4"),
            new Row("an upstream given a port", "upstream b {\n    server 127.0.0.1;\n}\n"
                    + server("listen 8080;", "location / { proxy_pass http://b:8080; }"),
                    "upstream \"b\" may not have port 8080 in lb.conf:6"),
            new Row("an upstream without servers", "upstream b {\n    least_conn;\n}\n",
                    "no servers are inside upstream in lb.conf:1"),
            new Row("backup with ip_hash", "upstream b {\n    ip_hash;\n    server 127.0.0.1:8081;\n"
                    + "    server 127.0.0.1:8082 backup;\n}\n",
                    "balancing method does not support parameter \"backup\" in lb.conf:4"),
            new Row("backup before hash", "upstream b {\n    server 127.0.0.1:8082 backup;\n    hash $remote_addr;\n}\n",
                    "balancing method does not support parameter \"backup\" in lb.conf:2"),
            new Row("backup with random", "upstream b {\n    random two;\n    server 127.0.0.1 backup;\n}\n",
                    "balancing method does not support parameter \"backup\" in lb.conf:3"),
            new Row("two balancing methods", "upstream b {\n    least_conn;\n    ip_hash;\n    server 127.0.0.1;\n}\n",
                    "load balancing method redefined in lb.conf:3"),
            new Row("weight zero", "upstream b {\n    server 127.0.0.1 weight=0;\n}\n",
                    "invalid parameter \"weight=0\" in lb.conf:2"),
            new Row("weight not a number", "upstream b {\n    server 127.0.0.1 weight=three;\n}\n",
                    "invalid parameter \"weight=three\" in lb.conf:2"),
            new Row("an upstream server parameter nginx plus has", "upstream b {\n    server backend.local resolve;\n}\n",
                    "invalid parameter \"resolve\" in lb.conf:2"),
            new Row("fail_timeout in milliseconds", "upstream b {\n    server 127.0.0.1 fail_timeout=500ms;\n}\n",
                    "invalid parameter \"fail_timeout=500ms\" in lb.conf:2"),
            new Row("an upstream server port out of range", "upstream b {\n    server 127.0.0.1:0;\n}\n",
                    "invalid port in upstream \"127.0.0.1:0\" in lb.conf:2"),
            new Row("an upstream server on a unix socket", "upstream b {\n    server unix:/tmp/b.sock;\n}\n",
                    "unix domain sockets are not supported in upstream \"unix:/tmp/b.sock\" in lb.conf:2"),
            new Row("an upstream server with a bad host", "upstream b {\n    server 300.1.1.1:80;\n}\n",
                    "invalid host in upstream \"300.1.1.1:80\" in lb.conf:2"),
            new Row("an upstream name with a colon", "upstream b:80 {\n    server 127.0.0.1;\n}\n",
                    "invalid upstream name \"b:80\" in lb.conf:1"),
            new Row("keepalive not a number", "upstream b {\n    server 127.0.0.1;\n    keepalive many;\n}\n",
                    "invalid value \"many\" in \"keepalive\" directive in lb.conf:3"),
            new Row("keepalive local", "upstream b {\n    server 127.0.0.1;\n    keepalive 8 local;\n}\n",
                    "invalid parameter \"local\" in lb.conf:3"),
            new Row("hash with a wrong parameter", "upstream b {\n    server 127.0.0.1;\n    hash $uri ketama;\n}\n",
                    "invalid parameter \"ketama\" in lb.conf:3"),
            new Row("random with a wrong parameter", "upstream b {\n    server 127.0.0.1;\n    random three;\n}\n",
                    "invalid parameter \"three\" in lb.conf:3"),
            new Row("a check parameter the module does not have", "upstream b {\n    server 127.0.0.1;\n"
                    + "    check interval=1000 every=2;\n}\n", "invalid parameter \"every=2\" in lb.conf:3"),
            new Row("a check interval that is not a time", "upstream b {\n    server 127.0.0.1;\n"
                    + "    check interval=soon;\n}\n", "invalid parameter \"interval=soon\" in lb.conf:3"),
            new Row("a check rise of zero", "upstream b {\n    server 127.0.0.1;\n    check rise=0;\n}\n",
                    "invalid parameter \"rise=0\" in lb.conf:3"),
            new Row("a check type not supported", "upstream b {\n    server 127.0.0.1;\n    check type=mysql;\n}\n",
                    "invalid parameter \"type=mysql\" in lb.conf:3"),
            new Row("a check default_down that is not a boolean", "upstream b {\n    server 127.0.0.1;\n"
                    + "    check default_down=maybe;\n}\n",
                    "invalid value \"default_down=maybe\", it must be \"true\" or \"false\" in lb.conf:3"),
            new Row("check_http_send with a tcp check", "upstream b {\n    server 127.0.0.1;\n"
                    + "    check interval=1000;\n    check_http_send \"GET / HTTP/1.0\\r\\n\\r\\n\";\n}\n",
                    "\"check_http_send\" directive requires \"type=http\" in the \"check\" directive in lb.conf:4"),
            new Row("check_http_expect_alive without a check", "upstream b {\n    server 127.0.0.1;\n"
                    + "    check_http_expect_alive http_2xx;\n}\n",
                    "\"check_http_expect_alive\" directive requires \"type=http\" in the \"check\" directive in lb.conf:3"),
            new Row("check_http_expect_alive with a wrong class", "upstream b {\n    server 127.0.0.1;\n"
                    + "    check type=http;\n    check_http_expect_alive http_2xx http_6xx;\n}\n",
                    "invalid value \"http_6xx\" in \"check_http_expect_alive\" directive in lb.conf:4"),

            // Listens and server names.
            new Row("a listen port out of range", server("listen 80808;"),
                    "invalid port in \"80808\" of the \"listen\" directive in lb.conf:2"),
            new Row("a listen port zero on an address", server("listen 127.0.0.1:0;"),
                    "invalid port in \"127.0.0.1:0\" of the \"listen\" directive in lb.conf:2"),
            new Row("a listen on a bad IPv6 address", server("listen [::g]:8080;"),
                    "invalid host in \"[::g]:8080\" of the \"listen\" directive in lb.conf:2"),
            new Row("a listen parameter not supported", server("listen 8080 reuseport;"),
                    "invalid parameter \"reuseport\" in lb.conf:2"),
            new Row("a backlog that is not a number", server("listen 8080 backlog=lots;"),
                    "invalid backlog \"backlog=lots\" in lb.conf:2"),
            new Row("two default servers on one socket", server("listen 8080 default_server;", "return 204;")
                    + server("listen 8080 default_server;", "server_name b.example;", "return 204;"),
                    "a duplicate default server for *:8080 in lb.conf:6"),
            new Row("one socket twice in a server", server("listen 8080;", "listen *:8080;", "return 204;"),
                    "a duplicate listen *:8080 in lb.conf:3"),
            new Row("backlog on two listens of one socket", server("listen 8080 backlog=100;", "return 204;")
                    + server("listen 8080 backlog=200;", "server_name b.example;", "return 204;"),
                    "duplicate listen options for *:8080 in lb.conf:6"),
            new Row("ssl on one listen of a socket and not on another", server("listen 8443 ssl;",
                    "ssl_certificate a.pem;", "ssl_certificate_key a.key;", "return 204;")
                    + server("listen 8443;", "server_name b.example;", "return 204;"),
                    "protocol options redefined for *:8443 in lb.conf:8"),
            new Row("two servers with one name on one socket", server("listen 8080;", "server_name Example.com;",
                    "return 204;") + server("listen 8080;", "server_name www.example.com example.com;", "return 204;"),
                    "conflicting server name \"example.com\" on *:8080 in lb.conf:8"),
            new Row("two servers without names on one socket", server("listen 8080;", "return 204;")
                    + server("listen 8080;", "return 204;"), "conflicting server name \"\" on *:8080 in lb.conf:5"),
            new Row("a regular expression server name", server("listen 8080;", "server_name ~^www\\d+;"),
                    "regular expression server name \"~^www\\d+\" is not supported in lb.conf:3"),
            new Row("a wildcard in the middle of a name", server("listen 8080;", "server_name www.*.example;"),
                    "server name \"www.*.example\" is invalid in lb.conf:3"),
            new Row("a server without listen", server("server_name example.com;", "return 204;"),
                    "no \"listen\" is defined for the server in lb.conf:1"),
            new Row("a server without location or return", server("listen 8080;"),
                    "no \"location\" or \"return\" is defined for the server in lb.conf:1"),
            new Row("a server return that hides locations", server("listen 8080;", "return 301 https://$host;",
                    OK_LOCATION.strip()), "\"return\" at the server level makes location \"/\" unreachable in lb.conf:3"),

            // TLS.
            new Row("an ssl listen without a certificate", server("listen 8443 ssl;", "return 204;"),
                    "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive in lb.conf:2"),
            new Row("a certificate without its key", server("listen 8443 ssl;", "ssl_certificate a.pem;",
                    "return 204;"), "no \"ssl_certificate_key\" is defined for certificate \"a.pem\" in lb.conf:3"),
            new Row("a key without its certificate", server("listen 8443 ssl;", "ssl_certificate_key a.key;",
                    "return 204;"), "no \"ssl_certificate\" is defined for key \"a.key\" in lb.conf:3"),
            new Row("a certificate without an ssl listen", server("listen 8443;", "ssl_certificate a.pem;",
                    "ssl_certificate_key a.key;", "return 204;"),
                    "no \"listen ... ssl\" is defined for certificate \"a.pem\" in lb.conf:3"),

            // Locations, proxy_pass and return.
            new Row("a location with both proxy_pass and return", server("listen 8080;", "location / {",
                    "    proxy_pass http://127.0.0.1:8081;", "    return 204;", "}"),
                    "\"proxy_pass\" and \"return\" cannot both be used in location \"/\" in lb.conf:3"),
            new Row("a location with neither", server("listen 8080;", "location / {",
                    "    proxy_read_timeout 5s;", "}"),
                    "no \"proxy_pass\" or \"return\" is defined for location \"/\" in lb.conf:3"),
            new Row("a regular expression location", server("listen 8080;", "location ~ \\.php$ { return 403; }"),
                    "regular expression locations are not supported in lb.conf:3"),
            new Row("a named location", server("listen 8080;", "location @fallback { return 502; }"),
                    "named locations are not supported in lb.conf:3"),
            new Row("a location modifier nginx does not have", server("listen 8080;", "location ~~ /a { return 204; }"),
                    "invalid location modifier \"~~\" in lb.conf:3"),
            new Row("a location not starting with a slash", server("listen 8080;", "location api { return 204; }"),
                    "invalid location \"api\", it must start with \"/\" in lb.conf:3"),
            new Row("proxy_pass to ftp", server("listen 8080;", "location / { proxy_pass ftp://127.0.0.1; }"),
                    "invalid URL prefix in \"ftp://127.0.0.1\" in lb.conf:3"),
            new Row("proxy_pass with variables", server("listen 8080;",
                    "location / { proxy_pass http://127.0.0.1:8081$request_uri; }"),
                    "variables in the \"proxy_pass\" directive are not supported in lb.conf:3"),
            new Row("a proxy_pass port out of range", server("listen 8080;",
                    "location / { proxy_pass http://127.0.0.1:70000/x; }"),
                    "invalid port in upstream \"127.0.0.1:70000/x\" in lb.conf:3"),
            new Row("a proxy_pass without a host", server("listen 8080;", "location / { proxy_pass http://:8081; }"),
                    "no host in upstream \":8081\" in lb.conf:3"),
            new Row("a return code over 999", server("listen 8080;", "return 1000;"),
                    "invalid return code \"1000\" in lb.conf:3"),
            new Row("a return code that is a word", server("listen 8080;", "return ok;"),
                    "invalid return code \"ok\" in lb.conf:3"),

            // Values of the proxy directives.
            new Row("a time with a bad unit", server("listen 8080;", "proxy_read_timeout 5x;"),
                    "invalid value \"5x\" in \"proxy_read_timeout\" directive in lb.conf:3"),
            new Row("a time in years for a millisecond directive", server("listen 8080;", "proxy_connect_timeout 1y;"),
                    "invalid value \"1y\" in \"proxy_connect_timeout\" directive in lb.conf:3"),
            new Row("time units out of order", server("listen 8080;", "proxy_send_timeout 30s1m;"),
                    "invalid value \"30s1m\" in \"proxy_send_timeout\" directive in lb.conf:3"),
            new Row("a zero timeout", server("listen 8080;", "proxy_read_timeout 0;"),
                    "invalid value \"0\" in \"proxy_read_timeout\" directive, it must be greater than 0 in lb.conf:3"),
            new Row("a size with a bad unit", server("listen 8080;", "client_max_body_size 10q;"),
                    "invalid value \"10q\" in \"client_max_body_size\" directive in lb.conf:3"),
            new Row("a fractional size", server("listen 8080;", "client_max_body_size 1.5m;"),
                    "invalid value \"1.5m\" in \"client_max_body_size\" directive in lb.conf:3"),
            new Row("no body size limit", server("listen 8080;", "client_max_body_size 0;"),
                    "invalid value \"0\" in \"client_max_body_size\" directive, it must be greater than 0 in lb.conf:3"),
            new Row("tries that are not a number", server("listen 8080;", "proxy_next_upstream_tries three;"),
                    "invalid number \"three\" in \"proxy_next_upstream_tries\" directive in lb.conf:3"),
            new Row("a negative number", server("listen 8080;", "proxy_next_upstream_tries -1;"),
                    "invalid number \"-1\" in \"proxy_next_upstream_tries\" directive in lb.conf:3"),
            new Row("a next-upstream case nginx does not have", server("listen 8080;", "proxy_next_upstream http_501;"),
                    "invalid value \"http_501\" in \"proxy_next_upstream\" directive in lb.conf:3"),
            new Row("off with other next-upstream cases", server("listen 8080;", "proxy_next_upstream error off;"),
                    "invalid value \"off\" in \"proxy_next_upstream\" directive, it cannot be combined with other"
                    + " values in lb.conf:3"),
            new Row("an HTTP version not supported", server("listen 8080;", "proxy_http_version 2;"),
                    "invalid value \"2\" in \"proxy_http_version\" directive in lb.conf:3"),
            new Row("a flag that is not on or off", server("listen 8080;", "proxy_ssl_verify yes;"),
                    "invalid value \"yes\" in \"proxy_ssl_verify\" directive, it must be \"on\" or \"off\" in lb.conf:3"),
            new Row("a header name with a space", server("listen 8080;", "proxy_set_header \"X Foo\" bar;"),
                    "invalid header name \"X Foo\" in \"proxy_set_header\" directive in lb.conf:3"),
            new Row("a header value with a line break", server("listen 8080;", "proxy_set_header X-Foo \"a\\r\\nB: c\";"),
                    "invalid value of header \"X-Foo\" in \"proxy_set_header\" directive, it must not contain"
                    + " control characters in lb.conf:3"),
            new Row("setting the body framing", server("listen 8080;", "proxy_set_header Content-Length 0;"),
                    "header \"Content-Length\" cannot be set by \"proxy_set_header\" directive, the proxy frames"
                    + " the body itself in lb.conf:3"));

    @TestFactory
    Stream<DynamicTest> eachBadFileIsRefusedWithItsSentence() {
        return ROWS.stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> {
            ConfigException e = assertThrows(ConfigException.class, () -> LbConfig.parse(r.text(), "lb.conf"),
                    r.text());
            assertEquals(r.message(), e.getMessage(), r.text());
        }));
    }

    @Test
    void theExceptionNamesFileLineAndDirectiveApart() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> LbConfig.parse(server("listen 8080;", "proxy_pass http://127.0.0.1:8081;"), "/etc/weft/lb.conf"));
        assertEquals("\"proxy_pass\" directive is not allowed here in /etc/weft/lb.conf:3", e.getMessage());
        assertEquals("\"proxy_pass\" directive is not allowed here", e.reason());
        assertEquals(Path.of("/etc/weft/lb.conf"), e.file());
        assertEquals(3, e.line());
        assertEquals("proxy_pass", e.directive());
    }

    @Test
    void aStrayBraceHasNoDirectiveButAMissingSemicolonNamesTheUnfinishedOne() {
        ConfigException stray = assertThrows(ConfigException.class, () -> LbConfig.parse("}\n", "lb.conf"));
        assertEquals(null, stray.directive());
        ConfigException unfinished = assertThrows(ConfigException.class,
                () -> LbConfig.parse("server {\n    listen 8080;\n    location / { return 204 }\n}\n", "lb.conf"));
        assertEquals("unexpected \"}\" in lb.conf:3", unfinished.getMessage());
        assertEquals("return", unfinished.directive());
    }
}
