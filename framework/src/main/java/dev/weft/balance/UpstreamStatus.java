package dev.weft.balance;

import dev.weft.client.Endpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One server's state at one moment, for a status page: what {@link UpstreamGroup#status()} returns,
 * one per server. Immutable; the figures count from the group's start.
 *
 * @param upstream         the server as configured (endpoint, weight, backup, down, max_conns...)
 * @param state            what it is doing now (see {@link State})
 * @param inFlight         picks not yet closed
 * @param picks            picks since the group started
 * @param requestFailures  picks closed as failed ({@link Pick#markFailed()})
 * @param checkFailures    failed active health checks
 * @param transitions      times it went out of service or came back: moves by the active health
 *                         checks, and being taken out by {@code max_fails} (its return after
 *                         {@code fail_timeout} is not an event: it happens by time passing, and shows
 *                         in {@link #state})
 * @param lastTransition   when the last of those happened, or null if none did
 * @param lastResponseTime the time the caller reported for the last pick
 *                         ({@link Pick#markResponseTime}), else how long the last pick that did not
 *                         fail was held; null before the first
 * @param checkProblem     what the last health check found wrong, at the address a connection
 *                         would use or at another address of the server; null if nothing (or no checks)
 */
public record UpstreamStatus(Upstream upstream, State state, int inFlight, long picks, long requestFailures,
        long checkFailures, long transitions, Instant lastTransition, Duration lastResponseTime, String checkProblem) {

    /** What a server is doing, the first that applies, in this order. */
    public enum State {
        /** Configured {@code down}: never picked, never probed. */
        DOWN,
        /** Taken out by the active health checks ({@code fall} failures in a row), until {@code rise} good ones. */
        UNHEALTHY,
        /** Sitting out {@code fail_timeout} after {@code max_fails} failed requests (or running its one trial request). */
        FAILED,
        /** A backup in service: picked only while no primary can take a request. */
        BACKUP,
        /** A primary in service. */
        UP
    }

    public UpstreamStatus {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(state, "state");
    }

    public Endpoint endpoint() {
        return upstream.endpoint();
    }

    public int weight() {
        return upstream.weight();
    }

    /** True if a request could be sent to it now (its state is {@code UP} or {@code BACKUP}; {@code max_conns} aside). */
    public boolean inService() {
        return state == State.UP || state == State.BACKUP;
    }

    /** One line: {@code 10.0.0.1:8080 weight=3 UP in-flight=2/100 picks=1520 failed(request=3, check=0) ...}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append(upstream.endpoint()).append(" weight=").append(upstream.weight())
                .append(' ').append(state).append(" in-flight=").append(inFlight);
        if (upstream.maxConns() > 0) {
            s.append('/').append(upstream.maxConns());
        }
        s.append(" picks=").append(picks).append(" failed(request=").append(requestFailures).append(", check=")
                .append(checkFailures).append(") transitions=").append(transitions);
        if (lastTransition != null) {
            s.append(" (last ").append(lastTransition).append(')');
        }
        if (lastResponseTime != null) {
            s.append(" last-response=").append(String.format(Locale.ROOT, "%.1fms", lastResponseTime.toNanos() / 1e6));
        }
        if (checkProblem != null) {
            s.append(" check: ").append(checkProblem);
        }
        return s.toString();
    }
}
