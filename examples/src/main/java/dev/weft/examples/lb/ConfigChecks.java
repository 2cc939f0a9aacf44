package dev.weft.examples.lb;

import dev.weft.examples.lb.ServerParser.ListenDraft;
import dev.weft.examples.lb.ServerParser.ServerDraft;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The checks that need every server at once: the servers that share a socket (an address and a
 * port) must agree on it the way one listening socket can. Stateless.
 */
final class ConfigChecks {

    private ConfigChecks() {
    }

    /** The socket a listen binds, for comparing: {@code *:8080}, {@code 127.0.0.1:8080}, names in lower case. */
    static String socketKey(Listen l) {
        return l.socket().toLowerCase(Locale.ROOT);
    }

    /**
     * Checks each socket's listens and server names and answers each socket's backlog: at most
     * one {@code default_server}, at most one {@code backlog=}, the same {@code ssl} and
     * {@code proxy_protocol} everywhere, no server name claimed by two servers.
     */
    static Map<String, Integer> sockets(List<ServerDraft> servers) throws ConfigException {
        Map<String, List<ServerDraft>> serversBySocket = new LinkedHashMap<>();
        Map<String, List<ListenDraft>> listensBySocket = new LinkedHashMap<>();
        for (ServerDraft s : servers) {
            for (ListenDraft l : s.listens()) {
                String key = socketKey(l.listen());
                serversBySocket.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
                listensBySocket.computeIfAbsent(key, k -> new ArrayList<>()).add(l);
            }
        }
        Map<String, Integer> backlogs = new HashMap<>();
        for (Map.Entry<String, List<ListenDraft>> e : listensBySocket.entrySet()) {
            List<ListenDraft> listens = e.getValue();
            Listen first = listens.get(0).listen();
            boolean defaultSeen = false;
            ListenDraft backlogAt = null;
            for (ListenDraft d : listens) {
                Listen l = d.listen();
                if (l.defaultServer()) {
                    if (defaultSeen) {
                        throw d.at().error("a duplicate default server for " + l.socket());
                    }
                    defaultSeen = true;
                }
                if (d.backlogSet()) {
                    if (backlogAt != null) {
                        throw d.at().error("duplicate listen options for " + l.socket());
                    }
                    backlogAt = d;
                }
                if (l.ssl() != first.ssl() || l.proxyProtocol() != first.proxyProtocol()) {
                    throw d.at().error("protocol options redefined for " + l.socket());
                }
            }
            backlogs.put(e.getKey(), backlogAt == null ? Listen.DEFAULT_BACKLOG : backlogAt.listen().backlog());
            names(serversBySocket.get(e.getKey()), first.socket());
        }
        return backlogs;
    }

    private static void names(List<ServerDraft> servers, String socket) throws ConfigException {
        Map<String, ServerDraft> claimed = new HashMap<>();
        for (ServerDraft s : servers) {
            List<String> names = s.names().isEmpty() ? List.of("") : s.names();
            for (String n : names) {
                ServerDraft owner = claimed.putIfAbsent(n, s);
                if (owner != null && owner != s) {
                    Statement at = s.namesAt() != null ? s.namesAt() : s.head();
                    throw at.error("conflicting server name \"" + n + "\" on " + socket);
                }
            }
        }
    }
}
