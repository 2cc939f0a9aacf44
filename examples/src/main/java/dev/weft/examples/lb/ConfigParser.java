package dev.weft.examples.lb;

import dev.weft.examples.lb.DirectiveTable.Context;
import dev.weft.examples.lb.ServerParser.ListenDraft;
import dev.weft.examples.lb.ServerParser.LocationDraft;
import dev.weft.examples.lb.ServerParser.PassDraft;
import dev.weft.examples.lb.ServerParser.ServerDraft;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a whole file into an {@link LbConfig}: the top level (either the http-level directives
 * themselves, or nginx.conf's {@code events { }} and {@code http { }}), then the file-wide checks,
 * then the model with every inherited value resolved. One parser per file, on one thread.
 */
final class ConfigParser {

    private final Path file;
    private final Path baseDir;
    private final ConfigLexer lexer;
    private final ProxyLevel top;
    private final List<UpstreamBlock> upstreams = new ArrayList<>();
    private final List<ServerDraft> servers = new ArrayList<>();

    ConfigParser(String text, Path file) throws ConfigException {
        this.file = file;
        this.baseDir = file.getParent();
        this.lexer = new ConfigLexer(text, file);
        this.top = new ProxyLevel(null, baseDir);
    }

    LbConfig parse() throws ConfigException {
        Context where = null;
        boolean http = false;
        boolean events = false;
        for (Statement st; (st = lexer.next(false)) != null; ) {
            if (where == null) {
                where = st.name().equals("http") || st.name().equals("events") ? Context.MAIN : Context.HTTP;
            }
            DirectiveTable.check(st, where);
            if (where == Context.HTTP) {
                http(st);
            } else if (st.name().equals("events")) {
                if (events) {
                    throw st.duplicate();
                }
                events = true;
                Statement inner = lexer.next(true);
                if (inner != null) {
                    DirectiveTable.check(inner, Context.EVENTS);
                    throw new IllegalStateException("no directive is allowed in events: " + inner.name());
                }
            } else {
                if (http) {
                    throw st.duplicate();
                }
                http = true;
                for (Statement inner; (inner = lexer.next(true)) != null; ) {
                    DirectiveTable.check(inner, Context.HTTP);
                    http(inner);
                }
            }
        }
        if (servers.isEmpty()) {
            throw new ConfigException("no \"server\" is defined", file, lexer.lastLine(), null);
        }
        return build(ConfigChecks.sockets(servers));
    }

    private void http(Statement st) throws ConfigException {
        switch (st.name()) {
            case "upstream" -> {
                UpstreamParser.checkName(st);
                for (UpstreamBlock u : upstreams) {
                    if (u.name().equalsIgnoreCase(st.arg(1))) {
                        throw st.error("duplicate upstream \"" + st.arg(1) + "\"");
                    }
                }
                upstreams.add(UpstreamParser.parse(st, lexer));
            }
            case "server" -> servers.add(ServerParser.parse(st, lexer, top, baseDir));
            default -> {
                if (!top.apply(st)) {
                    throw new IllegalStateException("not an http directive: " + st.name());
                }
            }
        }
    }

    private LbConfig build(Map<String, Integer> backlogs) throws ConfigException {
        Map<String, UpstreamBlock> byName = new HashMap<>();
        for (UpstreamBlock u : upstreams) {
            byName.put(u.name().toLowerCase(Locale.ROOT), u);
        }
        List<ServerBlock> blocks = new ArrayList<>();
        for (ServerDraft s : servers) {
            List<Listen> listens = new ArrayList<>();
            for (ListenDraft d : s.listens()) {
                Listen l = d.listen();
                listens.add(new Listen(l.address(), l.port(), l.defaultServer(), l.ssl(), l.proxyProtocol(),
                        backlogs.get(ConfigChecks.socketKey(l)), l.line()));
            }
            List<Location> locations = new ArrayList<>();
            for (LocationDraft d : s.locations()) {
                ProxyPass pass = d.pass() == null ? null : target(d.pass(), byName);
                locations.add(new Location(d.exact(), d.prefix(), pass, d.ret(), d.level().resolve(),
                        d.level().clientMaxBodySize(), d.line()));
            }
            blocks.add(new ServerBlock(listens, s.names().isEmpty() ? List.of("") : s.names(), s.certificate(),
                    s.key(), locations, s.ret(), s.head().line()));
        }
        return new LbConfig(file, upstreams, blocks);
    }

    /**
     * Matches a {@code proxy_pass} host against the upstreams, as nginx does: an upstream's name
     * (without case) must come without a port; any other host needs a port, or must look like a
     * host: an IP address, a name with a dot, or {@code localhost}. A bare word that names no
     * upstream is, as for nginx, a host that cannot be found.
     */
    private static ProxyPass target(PassDraft d, Map<String, UpstreamBlock> upstreams) throws ConfigException {
        int defaultPort = d.scheme().equals("https") ? 443 : 80;
        UpstreamBlock u = upstreams.get(d.host().toLowerCase(Locale.ROOT));
        if (u != null) {
            if (d.port() >= 0) {
                throw d.at().error("upstream \"" + d.host() + "\" may not have port " + d.port());
            }
            return new ProxyPass(d.scheme(), u.name(), d.host(), defaultPort, d.uri());
        }
        if (d.port() < 0 && !Addresses.isAddress(d.host()) && d.host().indexOf('.') < 0
                && !d.host().equalsIgnoreCase("localhost")) {
            throw d.at().error("host not found in upstream \"" + d.host() + "\"");
        }
        return new ProxyPass(d.scheme(), null, d.host(), d.port() < 0 ? defaultPort : d.port(), d.uri());
    }
}
