package dev.weft.examples.lb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A load balancer's configuration read from nginx's syntax, as {@code ./weft lb --config FILE}
 * runs it: the upstream groups and the servers, parsed, checked and immutable. Reading is strict:
 * whatever the reader does not understand is refused with one sentence in nginx's style naming
 * the file and line ({@code unknown directive "foo" in lb.conf:12}), never ignored. Reading does
 * no I/O beyond the file itself: host names are not resolved, certificates not opened. The model
 * is immutable, so one instance may be shared by every thread of the proxy.
 *
 * <h2>What it reads</h2>
 *
 * The top level holds http-level directives directly, or a whole nginx.conf: an empty
 * {@code events { }} and one {@code http { ... }}.
 * <ul>
 * <li>{@code upstream NAME { ... }} with {@code server ADDRESS [weight=N] [max_fails=N]
 *     [fail_timeout=TIME] [backup] [down] [max_conns=N];} (one or more; ADDRESS is {@code host},
 *     {@code host:port} or {@code [v6]:port}, port 80 by default), at most one of
 *     {@code least_conn;}, {@code ip_hash;}, {@code hash KEY [consistent];},
 *     {@code random [two];}, and {@code keepalive N;}. From nginx_upstream_check_module:
 *     {@code check [interval=MS] [rise=N] [fall=N] [timeout=MS] [type=tcp|http]
 *     [default_down=true|false];}, {@code check_http_send "...";},
 *     {@code check_http_expect_alive http_2xx ...;}.</li>
 * <li>{@code server { ... }} with {@code listen [ADDRESS:]PORT [default_server] [ssl]
 *     [proxy_protocol] [backlog=N];} (one or more), {@code server_name NAME ...;},
 *     {@code ssl_certificate FILE;}, {@code ssl_certificate_key FILE;},
 *     {@code location [=|^~] /PREFIX { ... }}, {@code return CODE [TEXT];}.</li>
 * <li>In a location: {@code proxy_pass http[s]://UPSTREAM_OR_HOST[:PORT][/uri];} or
 *     {@code return CODE [TEXT];} (or {@code return URL;}).</li>
 * <li>At the http, server and location levels, inherited downwards: {@code proxy_set_header NAME
 *     VALUE;}, {@code proxy_connect_timeout}, {@code proxy_send_timeout},
 *     {@code proxy_read_timeout}, {@code proxy_next_upstream ...}, {@code proxy_next_upstream_tries},
 *     {@code proxy_next_upstream_timeout}, {@code proxy_http_version 1.0|1.1},
 *     {@code proxy_ssl_verify on|off}, {@code proxy_ssl_trusted_certificate FILE},
 *     {@code proxy_ssl_server_name on|off}, {@code proxy_ssl_name VALUE},
 *     {@code client_max_body_size SIZE}.</li>
 * <li>Values are nginx's: words, {@code "..."} and {@code '...'} with escapes, {@code #}
 *     comments; times {@code 500ms 30s 5m 1h 1d 1w} and combinations ({@code 1m30s}); sizes
 *     {@code 512 64k 10m 1g}; variables {@code $host $remote_addr $remote_port
 *     $proxy_add_x_forwarded_for $scheme $request_uri $uri $args $server_name $server_port
 *     $proxy_host $proxy_port $http_NAME}, also as {@code ${name}}.</li>
 * </ul>
 *
 * <h2>Where it differs from nginx</h2>
 * <ul>
 * <li>Every other directive, nginx's included ({@code include}, {@code if}, {@code root},
 *     {@code proxy_buffering}, ...), is an {@code unknown directive}. So are nginx's regular
 *     expression, named and nested locations, regular-expression server names, unix sockets, variables
 *     in {@code proxy_pass}, {@code keepalive N local}, the upstream server parameters
 *     {@code resolve}, {@code service=}, {@code route=}, {@code slow_start=} and {@code drain},
 *     listen parameters other than the four above, {@code proxy_http_version 2}, the commercial
 *     {@code denied} of {@code proxy_next_upstream}, and check types other than tcp and http.
 *     {@code location ^~ /p} is read as the plain prefix {@code /p}, which is what it means
 *     without regular expressions.</li>
 * <li>What nginx only warns about is an error: a second balancing method, two servers claiming
 *     one name on one address and port, {@code ssl} or {@code proxy_protocol} on some of the
 *     listens of one address and port but not all, a value listed twice.</li>
 * <li>Configurations nginx accepts but where something would silently not apply are refused: a
 *     server without {@code listen} (nginx listens on port 80), a server-level {@code return}
 *     beside locations (they would never be reached), a location with both {@code proxy_pass}
 *     and {@code return}, or with neither, a server with no location and no {@code return}, a
 *     certificate without an {@code ssl} listen, {@code backup} with hash, ip_hash or random in
 *     any order, a directive written twice at one level ({@code proxy_next_upstream} and
 *     {@code return} included, where nginx merges or takes the first), a parameter written twice,
 *     the same header set twice at one level, {@code check_http_send} or
 *     {@code check_http_expect_alive} without {@code check ... type=http}.
 *     {@code ssl_certificate} is read in {@code server} only, one per server.</li>
 * <li>Limits nginx leaves open are closed: {@code client_max_body_size 0} (no limit) and the
 *     proxy timeouts 0 are refused; {@code proxy_set_header} may not set
 *     {@code Content-Length} or {@code Transfer-Encoding}, nor use control characters or a name
 *     that is not a header token. The file may hold 1 MiB, a word 4096 characters; it must be
 *     UTF-8.</li>
 * <li>{@code proxy_pass http://NAME} without a port must name an upstream, an IP address,
 *     {@code localhost} or a name with a dot; nginx would look any name up in DNS at startup,
 *     and fail the same way for a bare word it cannot find ({@code host not found in
 *     upstream}).</li>
 * <li>Defaults are those documented for nginx 1.29.7 and later (the 1.30 line):
 *     {@code proxy_http_version 1.1} and 32 idle keepalive connections per upstream; older nginx
 *     used 1.0 and no keepalive cache. The check module's {@code default_down=true} (servers start
 *     down) is kept.</li>
 * <li>On the check line, bare numbers are milliseconds as in the module, and nginx's units are
 *     accepted too ({@code interval=3s}). In times, a bare number after {@code s} or {@code ms}
 *     ({@code 1s5}) is refused.</li>
 * <li>Messages give the line a directive starts on (nginx gives the line of its {@code ;} or
 *     <code>&#123;</code>); a file that ends too early is reported at its last line. Relative file names
 *     resolve against the configuration file's directory.</li>
 * </ul>
 *
 * @param file      the file as named to {@link #read} or {@link #parse}
 * @param upstreams the upstream blocks, in file order
 * @param servers   the server blocks, in file order; at least one
 */
public record LbConfig(Path file, List<UpstreamBlock> upstreams, List<ServerBlock> servers) {

    public LbConfig {
        Objects.requireNonNull(file, "file");
        upstreams = List.copyOf(upstreams);
        servers = List.copyOf(servers);
    }

    /**
     * Reads and checks {@code file}. Blocks while reading it.
     *
     * @throws IOException     the file cannot be read
     * @throws ConfigException the file is not a configuration this reader accepts
     */
    public static LbConfig read(Path file) throws IOException, ConfigException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(ConfigLexer.MAX_FILE_BYTES + 1);
        }
        return new ConfigParser(ConfigLexer.decode(bytes, file), file).parse();
    }

    /**
     * Checks configuration {@code text} as if read from a file named {@code fileName}, which
     * messages name and relative paths resolve against.
     *
     * @throws ConfigException the text is not a configuration this reader accepts
     */
    public static LbConfig parse(String text, String fileName) throws ConfigException {
        return new ConfigParser(text, Path.of(fileName)).parse();
    }

    /** The upstream block of that name (compared without case, as nginx does), or null. */
    public UpstreamBlock upstream(String name) {
        for (UpstreamBlock u : upstreams) {
            if (u.name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return u;
            }
        }
        return null;
    }
}
