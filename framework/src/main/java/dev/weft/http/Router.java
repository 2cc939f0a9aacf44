package dev.weft.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps method and path to a handler: exact segments and {@code {name}} segments, nothing more.
 * Exact routes win over parameter routes; among parameter routes the first added wins. A path that
 * matches with another method gives 405 with {@code Allow}; no match gives the fallback or 404.
 * Immutable once built, so connections share it without locks.
 */
final class Router {

    /** What a lookup found: the handler, its template and path parameters, or an error status. */
    record Match(HttpHandler handler, String template, Map<String, String> params, int status, String allow) {
    }

    private record Route(String method, String template, String[] segments, HttpHandler handler) {
    }

    private final Map<String, Map<String, Route>> exact = new LinkedHashMap<>();
    private final List<Route> patterns = new ArrayList<>();
    private final HttpHandler fallback;

    Router(List<String[]> definitions, List<HttpHandler> handlers, HttpHandler fallback) {
        for (int i = 0; i < definitions.size(); i++) {
            String method = definitions.get(i)[0];
            String template = definitions.get(i)[1];
            Route route = new Route(method, template, split(template), handlers.get(i));
            if (template.contains("{")) {
                patterns.add(route);
            } else if (exact.computeIfAbsent(template, k -> new LinkedHashMap<>()).putIfAbsent(method, route) != null) {
                throw new IllegalArgumentException("two routes for " + method + " " + template);
            }
        }
        this.fallback = fallback;
    }

    /** Checks a template when it is added: starts with '/', parameters are whole segments. */
    static void checkTemplate(String template) {
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("a route starts with '/': " + template);
        }
        for (String segment : split(template)) {
            boolean open = segment.startsWith("{");
            boolean close = segment.endsWith("}");
            if (open != close || (open && segment.length() < 3)
                    || (!open && (segment.indexOf('{') >= 0 || segment.indexOf('}') >= 0))) {
                throw new IllegalArgumentException("a parameter is a whole segment like {id}: " + template);
            }
        }
    }

    Match find(String method, String path) {
        Map<String, Route> byMethod = exact.get(path);
        if (byMethod != null) {
            Route route = pick(byMethod.get(method), byMethod.get("GET"), method);
            if (route != null) {
                return new Match(route.handler, route.template, Map.of(), 0, null);
            }
        }
        String[] segments = split(path);
        Set<String> allowed = new LinkedHashSet<>();
        if (byMethod != null) {
            allowed.addAll(byMethod.keySet());
        }
        Route getRoute = null;
        Map<String, String> getParams = null;
        for (Route route : patterns) {
            Map<String, String> params = match(route.segments, segments);
            if (params == null) {
                continue;
            }
            if (route.method.equals(method)) {
                return new Match(route.handler, route.template, params, 0, null);
            }
            if (route.method.equals("GET") && getRoute == null) {
                getRoute = route;
                getParams = params;
            }
            allowed.add(route.method);
        }
        if (method.equals("HEAD") && getRoute != null) {
            return new Match(getRoute.handler, getRoute.template, getParams, 0, null);
        }
        if (fallback != null) {
            return new Match(fallback, null, Map.of(), 0, null);
        }
        if (allowed.isEmpty()) {
            return new Match(null, null, Map.of(), 404, null);
        }
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        return new Match(null, null, Map.of(), 405, String.join(", ", allowed));
    }

    /** The route for {@code method}, or the GET route for a HEAD request. */
    private static Route pick(Route forMethod, Route get, String method) {
        if (forMethod != null) {
            return forMethod;
        }
        return method.equals("HEAD") ? get : null;
    }

    private static Map<String, String> match(String[] template, String[] path) {
        if (template.length != path.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new LinkedHashMap<>(4);
                }
                params.put(t.substring(1, t.length() - 1), QueryString.decode(path[i].replace("+", "%2B")));
            } else if (!t.equals(path[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    private static String[] split(String path) {
        return path.length() <= 1 ? new String[0] : path.substring(1).split("/", -1);
    }
}
