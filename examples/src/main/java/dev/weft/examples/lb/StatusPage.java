package dev.weft.examples.lb;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.weft.balance.UpstreamGroup;
import dev.weft.balance.UpstreamStatus;
import dev.weft.http.HttpHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The load balancer's {@code /status} page: every upstream group and each of its servers as JSON —
 * state ({@code UP}, {@code BACKUP}, {@code FAILED}, {@code UNHEALTHY}, {@code DOWN}), requests in
 * flight and in all, failures of requests and of health checks, health transitions and the last one,
 * the last response time and what the last check found wrong.
 */
public final class StatusPage {

    /** One server as the page shows it. */
    record Server(String server, int weight, boolean backup, String state, int inFlight, long requests,
            long requestFailures, long checkFailures, long transitions, String lastTransition,
            Double lastResponseMillis, String checkProblem) {

        static Server of(UpstreamStatus s) {
            return new Server(s.endpoint().toString(), s.weight(), s.upstream().backup(), s.state().name(), s.inFlight(),
                    s.picks(), s.requestFailures(), s.checkFailures(), s.transitions(),
                    s.lastTransition() == null ? null : s.lastTransition().toString(),
                    s.lastResponseTime() == null ? null : s.lastResponseTime().toNanos() / 1e6, s.checkProblem());
        }
    }

    /** One group. */
    record Group(String upstream, String strategy, List<Server> servers) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StatusPage() {
    }

    /** The page's JSON for these groups, now. */
    static String render(Map<String, UpstreamGroup> groups) {
        List<Group> all = new ArrayList<>();
        for (UpstreamGroup g : groups.values()) {
            all.add(new Group(g.name(), g.strategy().name(), g.status().stream().map(Server::of).toList()));
        }
        try {
            return JSON.writeValueAsString(Map.of("upstreams", all)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("records always serialize", e);
        }
    }

    /** Answers with the status of {@code lb}'s groups. */
    public static HttpHandler handler(LoadBalancer lb) {
        return (req, res) -> {
            res.header("Content-Type", "application/json");
            res.header("Cache-Control", "no-store");
            res.send(render(lb.groups()));
        };
    }
}
