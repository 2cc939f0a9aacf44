package dev.weft.examples.lbdemo;

import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.balance.UpstreamStatus;
import dev.weft.balance.UpstreamStatus.State;
import dev.weft.client.Endpoint;
import dev.weft.examples.lb.Check;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches an upstream group's {@link UpstreamGroup#status()} and tells each change of a server's
 * state, with the reason the group's rules give for it: {@code fall} failed active checks make it
 * UNHEALTHY, {@code rise} good ones bring it back; {@code max_fails} failed requests make it FAILED
 * for {@code fail_timeout}. A change shorter than the time between two polls is not seen.
 * Used from one thread.
 */
final class HealthWatch {

    private final UpstreamGroup group;
    private final Check check;
    private final Map<Endpoint, String> names;
    private final Map<Endpoint, UpstreamStatus> last = new HashMap<>();

    /**
     * Watches {@code group}, whose active check is {@code check} (null if none); a server is named
     * {@code names.get(endpoint)} followed by its address, or only its address if absent.
     */
    HealthWatch(UpstreamGroup group, Check check, Map<Endpoint, String> names) {
        this.group = group;
        this.check = check;
        this.names = Map.copyOf(names);
        for (UpstreamStatus s : group.status()) {
            last.put(s.endpoint(), s);
        }
    }

    /** The changes since the last call, one line each: {@code backend-1 127.0.0.1:40001  UP -> FAILED (...)}. */
    List<String> changes() {
        List<String> lines = new ArrayList<>();
        for (UpstreamStatus now : group.status()) {
            UpstreamStatus before = last.put(now.endpoint(), now);
            if (before != null && before.state() != now.state()) {
                lines.add(name(now.endpoint()) + "  " + before.state() + " -> " + now.state()
                        + " (" + why(before, now) + ")");
            }
        }
        return lines;
    }

    /** What the server is called in the demo's lines. */
    String name(Endpoint endpoint) {
        String name = names.get(endpoint);
        return name == null ? endpoint.toString() : name + " " + endpoint;
    }

    private String why(UpstreamStatus before, UpstreamStatus now) {
        Upstream u = now.upstream();
        String sittingOut = "max_fails=" + u.maxFails() + " fail_timeout=" + Screen.seconds(u.failTimeout());
        return switch (now.state()) {
            case UNHEALTHY -> fall() + " failed checks in a row"
                    + (now.checkProblem() == null ? "" : ": " + now.checkProblem());
            case FAILED -> before.state() == State.UNHEALTHY
                    ? rise() + " good checks, but still sitting out " + sittingOut + " since its last failed request"
                    : plural(now.requestFailures() - before.requestFailures(), "failed request") + ", " + sittingOut;
            case UP, BACKUP -> before.state() == State.UNHEALTHY
                    ? rise() + " good checks in a row"
                    : "fail_timeout=" + Screen.seconds(u.failTimeout()) + " since its last failed request is over";
            case DOWN -> "marked down";
        };
    }

    private String fall() {
        return check == null ? "?" : String.valueOf(check.fall());
    }

    private String rise() {
        return check == null ? "?" : String.valueOf(check.rise());
    }

    private static String plural(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
