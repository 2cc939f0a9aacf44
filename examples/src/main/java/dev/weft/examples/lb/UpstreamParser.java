package dev.weft.examples.lb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one {@code upstream NAME { ... }} block: its servers, at most one balancing method,
 * {@code keepalive}, and nginx_upstream_check_module's {@code check}, {@code check_http_send} and
 * {@code check_http_expect_alive}. Stateless; the block is read from the lexer it is given.
 */
final class UpstreamParser {

    private UpstreamParser() {
    }

    /** Checks an upstream's name before its block is read, as nginx does. */
    static void checkName(Statement head) throws ConfigException {
        String name = head.arg(1);
        if (name.isEmpty() || !name.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.')) {
            throw head.error("invalid upstream name \"" + name + "\"");
        }
    }

    /** The block {@code head} opens, read up to its <code>&#125;</code>. */
    static UpstreamBlock parse(Statement head, ConfigLexer lexer) throws ConfigException {
        Balance balance = Balance.ROUND_ROBIN;
        Statement balanceAt = null;
        Value hashKey = null;
        boolean consistent = false;
        boolean two = false;
        List<UpstreamServer> servers = new ArrayList<>();
        Statement firstBackup = null;
        Integer keepalive = null;
        Check check = null;
        Statement sendAt = null;
        Statement aliveAt = null;
        List<String> alive = null;
        for (Statement st; (st = lexer.next(true)) != null; ) {
            DirectiveTable.check(st, DirectiveTable.Context.UPSTREAM);
            switch (st.name()) {
                case "server" -> {
                    UpstreamServer s = server(st);
                    if (s.backup() && firstBackup == null) {
                        firstBackup = st;
                    }
                    servers.add(s);
                }
                case "least_conn", "ip_hash", "hash", "random" -> {
                    if (balanceAt != null) {
                        throw st.error("load balancing method redefined");
                    }
                    balanceAt = st;
                    switch (st.name()) {
                        case "least_conn" -> balance = Balance.LEAST_CONN;
                        case "ip_hash" -> balance = Balance.IP_HASH;
                        case "hash" -> {
                            balance = Balance.HASH;
                            hashKey = Values.value(st, st.arg(1));
                            if (st.argCount() == 2 && !st.arg(2).equals("consistent")) {
                                throw st.invalidParameter(st.arg(2));
                            }
                            consistent = st.argCount() == 2;
                        }
                        default -> {
                            balance = Balance.RANDOM;
                            if (st.argCount() >= 1 && !st.arg(1).equals("two")) {
                                throw st.invalidParameter(st.arg(1));
                            }
                            if (st.argCount() == 2 && !st.arg(2).equals("least_conn")) {
                                throw st.invalidParameter(st.arg(2));
                            }
                            two = st.argCount() >= 1;
                        }
                    }
                }
                case "keepalive" -> {
                    if (keepalive != null) {
                        throw st.duplicate();
                    }
                    keepalive = Values.number(st.arg(1));
                    if (keepalive < 0) {
                        throw st.invalidValue(st.arg(1));
                    }
                    if (st.argCount() == 2) {
                        throw st.invalidParameter(st.arg(2));
                    }
                }
                case "check" -> {
                    if (check != null) {
                        throw st.duplicate();
                    }
                    check = check(st);
                }
                case "check_http_send" -> {
                    if (sendAt != null) {
                        throw st.duplicate();
                    }
                    if (st.arg(1).isEmpty()) {
                        throw st.invalidValue(st.arg(1));
                    }
                    sendAt = st;
                }
                case "check_http_expect_alive" -> {
                    if (aliveAt != null) {
                        throw st.duplicate();
                    }
                    aliveAt = st;
                    alive = expectAlive(st);
                }
                default -> throw new IllegalStateException("not an upstream directive: " + st.name());
            }
        }
        if (servers.isEmpty()) {
            throw head.error("no servers are inside upstream");
        }
        if (firstBackup != null && !balance.allowsBackup()) {
            throw firstBackup.error("balancing method does not support parameter \"backup\"");
        }
        boolean http = check != null && check.type().equals("http");
        for (Statement st : new Statement[] {sendAt, aliveAt}) {
            if (st != null && !http) {
                throw st.error("\"" + st.name() + "\" directive requires \"type=http\" in the \"check\" directive");
            }
        }
        if (http) {
            check = new Check(check.interval(), check.rise(), check.fall(), check.timeout(), "http",
                    sendAt == null ? Check.DEFAULT_HTTP_SEND : sendAt.arg(1),
                    alive == null ? Check.DEFAULT_EXPECT_ALIVE : alive, check.defaultDown());
        }
        return new UpstreamBlock(head.arg(1), balance, hashKey, consistent, two, servers, keepalive, check,
                head.line());
    }

    /** {@code server ADDRESS [params]}: the parameters first, then the address, in nginx's order. */
    private static UpstreamServer server(Statement st) throws ConfigException {
        int weight = UpstreamServer.DEFAULT_WEIGHT;
        int maxFails = UpstreamServer.DEFAULT_MAX_FAILS;
        int maxConns = 0;
        Duration failTimeout = UpstreamServer.DEFAULT_FAIL_TIMEOUT;
        boolean backup = false;
        boolean down = false;
        Set<String> seen = new HashSet<>();
        for (String p : st.args().subList(1, st.argCount())) {
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq + 1);
            String v = eq < 0 ? "" : p.substring(eq + 1);
            if (!seen.add(key)) {
                throw st.error("duplicate parameter \"" + p + "\"");
            }
            switch (key) {
                case "weight=" -> weight = Values.number(v);
                case "max_fails=" -> maxFails = Values.number(v);
                case "max_conns=" -> maxConns = Values.number(v);
                case "fail_timeout=" -> failTimeout = Values.duration(v, true);
                case "backup" -> backup = true;
                case "down" -> down = true;
                default -> throw st.invalidParameter(p);
            }
            if (weight < 1 || maxFails < 0 || maxConns < 0 || failTimeout == null) {
                throw st.invalidParameter(p);
            }
        }
        Addresses.HostPort hp;
        try {
            hp = Addresses.parse(st.arg(1), false);
        } catch (Addresses.BadAddress e) {
            throw st.error(e.getMessage() + " in upstream \"" + st.arg(1) + "\"");
        }
        return new UpstreamServer(hp.host(), hp.port() < 0 ? UpstreamServer.DEFAULT_PORT : hp.port(), weight,
                maxFails, failTimeout, backup, down, maxConns, st.line());
    }

    /** The module's {@code check} line; the http parts are added once the block is complete. */
    private static Check check(Statement st) throws ConfigException {
        Duration interval = Check.DEFAULT_INTERVAL;
        Duration timeout = Check.DEFAULT_TIMEOUT;
        int rise = Check.DEFAULT_RISE;
        int fall = Check.DEFAULT_FALL;
        String type = Check.DEFAULT_TYPE;
        boolean defaultDown = Check.DEFAULT_DOWN;
        Set<String> seen = new HashSet<>();
        for (String p : st.args()) {
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq + 1);
            String v = eq < 0 ? "" : p.substring(eq + 1);
            if (!seen.add(key)) {
                throw st.error("duplicate parameter \"" + p + "\"");
            }
            switch (key) {
                case "interval=" -> interval = checkTime(st, p, v);
                case "timeout=" -> timeout = checkTime(st, p, v);
                case "rise=" -> rise = atLeastOne(st, p, v);
                case "fall=" -> fall = atLeastOne(st, p, v);
                case "type=" -> {
                    if (!v.equals("tcp") && !v.equals("http")) {
                        throw st.invalidParameter(p);
                    }
                    type = v;
                }
                case "default_down=" -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        throw st.error("invalid value \"" + p + "\", it must be \"true\" or \"false\"");
                    }
                    defaultDown = v.equalsIgnoreCase("true");
                }
                default -> throw st.invalidParameter(p);
            }
        }
        if (type.equals("http")) {
            return new Check(interval, rise, fall, timeout, type, Check.DEFAULT_HTTP_SEND, Check.DEFAULT_EXPECT_ALIVE,
                    defaultDown);
        }
        return new Check(interval, rise, fall, timeout, type, null, List.of(), defaultDown);
    }

    /**
     * A time on the check line: bare digits are milliseconds, as the module reads them; nginx's
     * units are accepted too ({@code 3s}), every part with its unit.
     */
    private static Duration checkTime(Statement st, String param, String v) throws ConfigException {
        long ms;
        if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            ms = Values.number(v);
        } else if (!v.isEmpty() && Character.isDigit(v.charAt(v.length() - 1))) {
            ms = -1;
        } else {
            ms = Values.millis(v, false);
        }
        if (ms <= 0) {
            throw st.invalidParameter(param);
        }
        return Duration.ofMillis(ms);
    }

    private static int atLeastOne(Statement st, String param, String v) throws ConfigException {
        int n = Values.number(v);
        if (n < 1) {
            throw st.invalidParameter(param);
        }
        return n;
    }

    private static List<String> expectAlive(Statement st) throws ConfigException {
        Set<String> classes = new TreeSet<>();
        for (String w : st.args()) {
            String c = w.toLowerCase(Locale.ROOT);
            if (!List.of("http_2xx", "http_3xx", "http_4xx", "http_5xx").contains(c)) {
                throw st.invalidValue(w);
            }
            if (!classes.add(c)) {
                throw st.error("duplicate value \"" + w + "\" in \"" + st.name() + "\" directive");
            }
        }
        return List.copyOf(classes);
    }
}
