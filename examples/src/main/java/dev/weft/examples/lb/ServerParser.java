package dev.weft.examples.lb;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one {@code server { ... }} block and its locations into drafts: everything a server says
 * about itself is checked here; what needs the whole file (upstream names, sockets shared with
 * other servers, inherited settings from below) waits for {@link ConfigParser}. Stateless.
 */
final class ServerParser {

    /** A listen as read; {@code backlogSet} tells {@code backlog=} from the default. */
    record ListenDraft(Listen listen, boolean backlogSet, Statement at) {
    }

    /** A {@code proxy_pass} as read, before its host is matched against the upstreams. */
    record PassDraft(String scheme, String host, int port, String uri, Statement at) {
    }

    /** A location as read; its settings resolve once every level above is complete. */
    record LocationDraft(boolean exact, String prefix, PassDraft pass, Return ret, ProxyLevel level, int line) {
    }

    /** A server as read. */
    record ServerDraft(Statement head, List<ListenDraft> listens, List<String> names, Statement namesAt,
            Path certificate, Path key, List<LocationDraft> locations, Return ret) {
    }

    private ServerParser() {
    }

    /** The block {@code head} opens, read up to its <code>&#125;</code>; {@code top} is the level above. */
    static ServerDraft parse(Statement head, ConfigLexer lexer, ProxyLevel top, Path baseDir) throws ConfigException {
        ProxyLevel level = new ProxyLevel(top, baseDir);
        List<ListenDraft> listens = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Statement namesAt = null;
        Statement certAt = null;
        Statement keyAt = null;
        Path cert = null;
        Path key = null;
        Return ret = null;
        Statement retAt = null;
        List<LocationDraft> locations = new ArrayList<>();
        for (Statement st; (st = lexer.next(true)) != null; ) {
            DirectiveTable.check(st, DirectiveTable.Context.SERVER);
            switch (st.name()) {
                case "listen" -> {
                    ListenDraft l = listen(st);
                    for (ListenDraft other : listens) {
                        if (ConfigChecks.socketKey(other.listen()).equals(ConfigChecks.socketKey(l.listen()))) {
                            throw st.error("a duplicate listen " + l.listen().socket());
                        }
                    }
                    listens.add(l);
                }
                case "server_name" -> {
                    names.addAll(serverNames(st));
                    namesAt = namesAt == null ? st : namesAt;
                }
                case "ssl_certificate" -> {
                    if (certAt != null) {
                        throw st.duplicate();
                    }
                    certAt = st;
                    cert = ProxyLevel.path(st, baseDir);
                }
                case "ssl_certificate_key" -> {
                    if (keyAt != null) {
                        throw st.duplicate();
                    }
                    keyAt = st;
                    key = ProxyLevel.path(st, baseDir);
                }
                case "return" -> {
                    if (ret != null) {
                        throw st.duplicate();
                    }
                    ret = ret(st);
                    retAt = st;
                }
                case "location" -> {
                    LocationDraft l = location(st, lexer, level, baseDir);
                    for (LocationDraft other : locations) {
                        if (other.exact() == l.exact() && other.prefix().equals(l.prefix())) {
                            throw st.error("duplicate location \"" + l.prefix() + "\"");
                        }
                    }
                    locations.add(l);
                }
                default -> {
                    if (!level.apply(st)) {
                        throw new IllegalStateException("not a server directive: " + st.name());
                    }
                }
            }
        }
        if (listens.isEmpty()) {
            throw head.error("no \"listen\" is defined for the server");
        }
        if (ret != null && !locations.isEmpty()) {
            throw retAt.error("\"return\" at the server level makes location \"" + locations.get(0).prefix()
                    + "\" unreachable");
        }
        if (ret == null && locations.isEmpty()) {
            throw head.error("no \"location\" or \"return\" is defined for the server");
        }
        checkTls(listens, certAt, keyAt);
        return new ServerDraft(head, listens, names, namesAt, cert, key, locations, ret);
    }

    private static void checkTls(List<ListenDraft> listens, Statement certAt, Statement keyAt) throws ConfigException {
        if (certAt != null && keyAt == null) {
            throw certAt.error("no \"ssl_certificate_key\" is defined for certificate \"" + certAt.arg(1) + "\"");
        }
        if (keyAt != null && certAt == null) {
            throw keyAt.error("no \"ssl_certificate\" is defined for key \"" + keyAt.arg(1) + "\"");
        }
        ListenDraft ssl = listens.stream().filter(l -> l.listen().ssl()).findFirst().orElse(null);
        if (ssl != null && certAt == null) {
            throw ssl.at().error("no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive");
        }
        if (ssl == null && certAt != null) {
            throw certAt.error("no \"listen ... ssl\" is defined for certificate \"" + certAt.arg(1) + "\"");
        }
    }

    /** {@code listen [ADDRESS:]PORT [default_server] [ssl] [proxy_protocol] [backlog=N]}. */
    static ListenDraft listen(Statement st) throws ConfigException {
        Addresses.HostPort hp;
        try {
            hp = Addresses.parse(st.arg(1), true);
        } catch (Addresses.BadAddress e) {
            throw st.error(e.getMessage() + " in \"" + st.arg(1) + "\" of the \"listen\" directive");
        }
        boolean defaultServer = false;
        boolean ssl = false;
        boolean proxyProtocol = false;
        int backlog = Listen.DEFAULT_BACKLOG;
        boolean backlogSet = false;
        Set<String> seen = new HashSet<>();
        for (String p : st.args().subList(1, st.argCount())) {
            String key = p.startsWith("backlog=") ? "backlog=" : p;
            if (!seen.add(key)) {
                throw st.error("duplicate parameter \"" + p + "\"");
            }
            switch (key) {
                case "default_server" -> defaultServer = true;
                case "ssl" -> ssl = true;
                case "proxy_protocol" -> proxyProtocol = true;
                case "backlog=" -> {
                    backlog = Values.number(p.substring("backlog=".length()));
                    if (backlog < 1) {
                        throw st.error("invalid backlog \"" + p + "\"");
                    }
                    backlogSet = true;
                }
                default -> throw st.invalidParameter(p);
            }
        }
        Listen l = new Listen(hp.host(), hp.port() < 0 ? 80 : hp.port(), defaultServer, ssl, proxyProtocol, backlog,
                st.line());
        return new ListenDraft(l, backlogSet, st);
    }

    /** {@code server_name}: exact names and nginx's wildcards, in lower case; no regular expressions. */
    private static List<String> serverNames(Statement st) throws ConfigException {
        List<String> names = new ArrayList<>();
        for (String w : st.args()) {
            String n = w.toLowerCase(Locale.ROOT);
            if (n.startsWith("~")) {
                throw st.error("regular expression server name \"" + w + "\" is not supported");
            }
            if (n.startsWith("$")) {
                throw st.error("server name \"" + w + "\" is not supported");
            }
            boolean leading = n.startsWith("*.") && n.length() >= 3;
            boolean trailing = n.endsWith(".*") && n.length() >= 3;
            String rest = leading ? n.substring(2) : trailing ? n.substring(0, n.length() - 2) : n;
            if (rest.indexOf('*') >= 0 || n.equals(".") || n.startsWith("..")
                    || rest.chars().anyMatch(c -> c <= ' ' || c == '/' || c == 127)) {
                throw st.error("server name \"" + w + "\" is invalid");
            }
            names.add(n);
        }
        return names;
    }

    /** {@code return CODE [TEXT]} or {@code return URL} (a 302). */
    static Return ret(Statement st) throws ConfigException {
        String c = st.arg(1);
        int code = Values.number(c);
        if (code < 0) {
            if (st.argCount() == 1 && (c.startsWith("http://") || c.startsWith("https://") || c.startsWith("$scheme"))) {
                return new Return(302, Values.value(st, c), st.line());
            }
            throw st.error("invalid return code \"" + c + "\"");
        }
        if (code > 999) {
            throw st.error("invalid return code \"" + c + "\"");
        }
        return new Return(code, st.argCount() == 2 ? Values.value(st, st.arg(2)) : null, st.line());
    }

    private static LocationDraft location(Statement head, ConfigLexer lexer, ProxyLevel server, Path baseDir)
            throws ConfigException {
        String modifier = head.argCount() == 2 ? head.arg(1) : "";
        String prefix = head.arg(head.argCount());
        if (head.argCount() == 1) {
            for (String m : List.of("=", "^~", "~", "@")) {
                if (prefix.startsWith(m)) {
                    modifier = m;
                    prefix = m.equals("@") ? prefix : prefix.substring(m.length());
                    break;
                }
            }
        }
        switch (modifier) {
            case "", "=", "^~" -> {
                // prefix or exact; ^~ means "no regular expressions after this", and there are none
            }
            case "~", "~*" -> throw head.error("regular expression locations are not supported");
            case "@" -> throw head.error("named locations are not supported");
            default -> throw head.error("invalid location modifier \"" + modifier + "\"");
        }
        if (!prefix.startsWith("/")) {
            throw head.error("invalid location \"" + prefix + "\", it must start with \"/\"");
        }
        ProxyLevel level = new ProxyLevel(server, baseDir);
        PassDraft pass = null;
        Return ret = null;
        for (Statement st; (st = lexer.next(true)) != null; ) {
            DirectiveTable.check(st, DirectiveTable.Context.LOCATION);
            switch (st.name()) {
                case "proxy_pass" -> {
                    if (pass != null) {
                        throw st.duplicate();
                    }
                    pass = proxyPass(st);
                }
                case "return" -> {
                    if (ret != null) {
                        throw st.duplicate();
                    }
                    ret = ret(st);
                }
                default -> {
                    if (!level.apply(st)) {
                        throw new IllegalStateException("not a location directive: " + st.name());
                    }
                }
            }
        }
        if (pass != null && ret != null) {
            throw head.error("\"proxy_pass\" and \"return\" cannot both be used in location \"" + prefix + "\"");
        }
        if (pass == null && ret == null) {
            throw head.error("no \"proxy_pass\" or \"return\" is defined for location \"" + prefix + "\"");
        }
        return new LocationDraft(modifier.equals("="), prefix, pass, ret, level, head.line());
    }

    /** {@code proxy_pass http[s]://HOST[:PORT][/uri]}, the syntax only. */
    private static PassDraft proxyPass(Statement st) throws ConfigException {
        String url = st.arg(1);
        if (url.indexOf('$') >= 0) {
            throw st.error("variables in the \"proxy_pass\" directive are not supported");
        }
        String lower = url.toLowerCase(Locale.ROOT);
        String scheme = lower.startsWith("http://") ? "http" : lower.startsWith("https://") ? "https" : null;
        if (scheme == null) {
            throw st.error("invalid URL prefix in \"" + url + "\"");
        }
        String rest = url.substring(scheme.length() + 3);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String uri = slash < 0 ? null : rest.substring(slash);
        Addresses.HostPort hp;
        try {
            hp = Addresses.parse(authority, false);
        } catch (Addresses.BadAddress e) {
            throw st.error(e.getMessage() + " in upstream \"" + rest + "\"");
        }
        if (uri != null && uri.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            throw st.error("invalid URI \"" + uri + "\" in the \"proxy_pass\" directive");
        }
        return new PassDraft(scheme, hp.host(), hp.port(), uri, st);
    }
}
