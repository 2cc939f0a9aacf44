package dev.weft.examples.lb;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The directives the reader knows: in which blocks each may stand, whether it opens a block, and
 * how many arguments it takes. {@link #check} applies them in nginx's order and with nginx's
 * messages: unknown name, then wrong block, then {@code ;} versus <code>&#123;</code>, then the argument
 * count. A name outside this table is an {@code unknown directive}, even where nginx knows it.
 */
final class DirectiveTable {

    /** The blocks directives stand in. */
    enum Context {
        /** nginx.conf's top level, when the file wraps everything in {@code http { }}. */
        MAIN,
        /** {@code events { }}, accepted empty for a complete nginx.conf. */
        EVENTS,
        /** {@code http { }}, or the file's top level when it has no {@code http} block. */
        HTTP,
        UPSTREAM,
        SERVER,
        LOCATION
    }

    private record Spec(Set<Context> contexts, boolean block, int minArgs, int maxArgs) {
    }

    private static final int MANY = Integer.MAX_VALUE;
    private static final Map<String, List<Spec>> SPECS = new HashMap<>();

    static {
        Set<Context> proxyLevels = EnumSet.of(Context.HTTP, Context.SERVER, Context.LOCATION);
        block("http", EnumSet.of(Context.MAIN), 0, 0);
        block("events", EnumSet.of(Context.MAIN), 0, 0);
        block("upstream", EnumSet.of(Context.HTTP), 1, 1);
        block("server", EnumSet.of(Context.HTTP), 0, 0);
        block("location", EnumSet.of(Context.SERVER), 1, 2);

        Set<Context> upstream = EnumSet.of(Context.UPSTREAM);
        simple("server", upstream, 1, MANY);
        simple("least_conn", upstream, 0, 0);
        simple("ip_hash", upstream, 0, 0);
        simple("hash", upstream, 1, 2);
        simple("random", upstream, 0, 2);
        simple("keepalive", upstream, 1, 2);
        simple("check", upstream, 1, MANY);
        simple("check_http_send", upstream, 1, 1);
        simple("check_http_expect_alive", upstream, 1, MANY);

        Set<Context> server = EnumSet.of(Context.SERVER);
        simple("listen", server, 1, MANY);
        simple("server_name", server, 1, MANY);
        simple("ssl_certificate", server, 1, 1);
        simple("ssl_certificate_key", server, 1, 1);
        simple("return", EnumSet.of(Context.SERVER, Context.LOCATION), 1, 2);
        simple("proxy_pass", EnumSet.of(Context.LOCATION), 1, 1);

        simple("proxy_set_header", proxyLevels, 2, 2);
        simple("proxy_next_upstream", proxyLevels, 1, MANY);
        for (String name : List.of("proxy_connect_timeout", "proxy_send_timeout", "proxy_read_timeout",
                "proxy_next_upstream_tries", "proxy_next_upstream_timeout", "proxy_http_version",
                "proxy_ssl_verify", "proxy_ssl_trusted_certificate", "proxy_ssl_server_name", "proxy_ssl_name",
                "client_max_body_size")) {
            simple(name, proxyLevels, 1, 1);
        }
    }

    private DirectiveTable() {
    }

    private static void block(String name, Set<Context> contexts, int min, int max) {
        SPECS.computeIfAbsent(name, n -> new ArrayList<>()).add(new Spec(contexts, true, min, max));
    }

    private static void simple(String name, Set<Context> contexts, int min, int max) {
        SPECS.computeIfAbsent(name, n -> new ArrayList<>()).add(new Spec(contexts, false, min, max));
    }

    /** Refuses {@code st} unless it is a known directive, allowed in {@code where}, well formed. */
    static void check(Statement st, Context where) throws ConfigException {
        List<Spec> specs = SPECS.get(st.name());
        if (specs == null) {
            throw st.error("unknown directive \"" + st.name() + "\"");
        }
        Spec spec = specs.stream().filter(s -> s.contexts().contains(where)).findFirst().orElse(null);
        if (spec == null) {
            throw st.error("\"" + st.name() + "\" directive is not allowed here");
        }
        if (!spec.block() && st.isBlock()) {
            throw st.error("directive \"" + st.name() + "\" is not terminated by \";\"");
        }
        if (spec.block() && !st.isBlock()) {
            throw st.error("directive \"" + st.name() + "\" has no opening \"{\"");
        }
        if (st.argCount() < spec.minArgs() || st.argCount() > spec.maxArgs()) {
            throw st.error("invalid number of arguments in \"" + st.name() + "\" directive");
        }
    }
}
