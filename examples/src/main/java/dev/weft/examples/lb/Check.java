package dev.weft.examples.lb;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The active health check of an upstream, from nginx_upstream_check_module's {@code check
 * interval=MS rise=N fall=N timeout=MS [type=tcp|http] [default_down=true|false];} with
 * {@code check_http_send "...";} and {@code check_http_expect_alive http_2xx ...;}. Every
 * {@code interval} each server is probed; {@code fall} failures in a row take it out, {@code rise}
 * successes in a row bring it back; a probe longer than {@code timeout} fails.
 *
 * <p>The module's defaults, kept here: interval 30 s, rise 2, fall 5, timeout 1 s, type tcp, and
 * {@code default_down=true}: servers <em>start down</em> and take traffic only after {@code rise}
 * good probes. (Weft's {@code dev.weft.balance.HealthCheck} starts them up; a proxy mapping this
 * record onto it has to honour {@link #defaultDown()}.)
 *
 * @param interval    time between probes of a server
 * @param rise        good probes in a row that bring a server up, at least 1
 * @param fall        failed probes in a row that take it down, at least 1
 * @param timeout     the most one probe may take
 * @param type        {@code "tcp"} (a connect) or {@code "http"} (send {@code httpSend}, read the status)
 * @param httpSend    for http, the bytes sent, as written after nginx's escapes; default
 *                    {@value #DEFAULT_HTTP_SEND}; null for tcp
 * @param expectAlive for http, the status classes that pass, sorted ({@code "http_2xx"},
 *                    {@code "http_3xx"} by default); empty for tcp
 * @param defaultDown whether servers start down
 */
public record Check(Duration interval, int rise, int fall, Duration timeout, String type, String httpSend,
        List<String> expectAlive, boolean defaultDown) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(30_000);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 5;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(1_000);
    public static final String DEFAULT_TYPE = "tcp";
    public static final String DEFAULT_HTTP_SEND = "GET / HTTP/1.0\r\n\r\n";
    public static final List<String> DEFAULT_EXPECT_ALIVE = List.of("http_2xx", "http_3xx");
    public static final boolean DEFAULT_DOWN = true;

    public Check {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        expectAlive = List.copyOf(expectAlive);
        if (!"tcp".equals(type) && !"http".equals(type)) {
            throw new IllegalArgumentException("type must be tcp or http, was " + type);
        }
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()
                || rise < 1 || fall < 1) {
            throw new IllegalArgumentException("interval and timeout must be positive, rise and fall at least 1");
        }
        if ("http".equals(type) && (httpSend == null || expectAlive.isEmpty())) {
            throw new IllegalArgumentException("an http check needs httpSend and expectAlive");
        }
    }

    /** The module's defaults, which {@code check interval=30000;} gives: a tcp check. */
    public static Check defaults() {
        return new Check(DEFAULT_INTERVAL, DEFAULT_RISE, DEFAULT_FALL, DEFAULT_TIMEOUT, DEFAULT_TYPE, null,
                List.of(), DEFAULT_DOWN);
    }

    /** For an http check, whether a response with {@code status} passes. */
    public boolean isAlive(int status) {
        return expectAlive.contains("http_" + (status / 100) + "xx");
    }
}
