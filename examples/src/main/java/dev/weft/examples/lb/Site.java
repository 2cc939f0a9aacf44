package dev.weft.examples.lb;

import dev.weft.http.HttpHandler;
import dev.weft.http.Request;
import dev.weft.http.Response;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One {@code server} block as it runs: each request goes to the location nginx would pick (an exact
 * match, else the longest prefix; the raw path is matched, percent-encoding included), whose body
 * limit it must keep; no location is a 404, a server-level {@code return} answers everything.
 */
final class Site implements HttpHandler {

    private final ServerBlock block;
    private final Map<Location, HttpHandler> handlers;
    private final HttpHandler serverReturn;

    Site(ServerBlock block, Map<Location, HttpHandler> handlers, HttpHandler serverReturn) {
        this.block = block;
        this.handlers = new IdentityHashMap<>(handlers);
        this.serverReturn = serverReturn;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        if (serverReturn != null) {
            serverReturn.handle(request, response);
            return;
        }
        Location location = block.location(request.path());
        if (location == null) {
            response.send(404, "not found\n");
            return;
        }
        if (request.contentLength() > location.clientMaxBodySize()) {
            response.header("Connection", "close");
            response.send(413, "request body larger than " + location.clientMaxBodySize() + " bytes\n");
            return;
        }
        handlers.get(location).handle(request, response);
    }

    /** nginx's {@code return CODE [TEXT]}: a redirect's text is its Location, any other's the body. */
    static HttpHandler answer(Return ret, ServerBlock server, int port) {
        return (request, response) -> {
            String text = ret.text() == null ? "" : Variables.of(ret.text(), server, null, port).value(request, null);
            if (ret.isRedirect()) {
                response.header("Location", text);
                response.send(ret.code(), "");
            } else {
                response.send(ret.code(), text);
            }
        };
    }
}
