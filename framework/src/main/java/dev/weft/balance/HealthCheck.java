package dev.weft.balance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Active health checks for every server of an {@link UpstreamGroup}, in the terms of nginx's
 * check module ({@code check interval=... rise=... fall=... timeout=... type=tcp|http},
 * {@code check_http_send}, {@code check_http_expect_alive}): every {@code interval} each server is
 * probed, a probe taking longer than {@code timeout} fails, {@code fall} failed probes in a row take
 * a server out, {@code rise} good ones in a row bring it back. Servers start in service; a
 * {@code down} server is never probed.
 *
 * <p>The probe is a TCP connect ({@link #tcp()}) or an HTTP request whose status must be in one of
 * the {@link #expectedStatus} classes, 2xx or 3xx unless {@link #withExpectedStatus} says otherwise
 * ({@link #http(String)}). The request is {@code GET path HTTP/1.1} with {@code Host} set to the
 * server's {@code host:port}, a {@code User-Agent} and {@code Connection: close}, or exactly the
 * bytes given to {@link #withHttpSend} (nginx's {@code check_http_send}). Only the status line of
 * the answer is read.
 *
 * <pre>{@code
 * HealthCheck.http("/health").withInterval(Duration.ofSeconds(2)).withExpectedStatus(Set.of(2))
 * HealthCheck.tcp().withHttpSend("HEAD / HTTP/1.0\r\nHost: backend\r\n\r\n")  // an HTTP check
 * }</pre>
 *
 * @param interval       time between the starts of two rounds of probes of a server; each server's
 *                       first probe comes at a random point of the first interval, so that the
 *                       servers of a group are not all probed in the same millisecond
 * @param rise           good probes in a row that bring a server back
 * @param fall           failed probes in a row that take it out
 * @param timeout        the most one probe of one address may take: connect, and for HTTP the status line too
 * @param httpPath       the target an HTTP probe asks for, or null for a TCP connect
 * @param expectedStatus the status classes (1 to 5: 2 is 2xx) an HTTP probe must answer with
 * @param httpSend       the request an HTTP probe sends, byte for byte, or null for the default {@code GET}
 */
public record HealthCheck(Duration interval, int rise, int fall, Duration timeout, String httpPath,
        Set<Integer> expectedStatus, String httpSend) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** nginx's {@code check_http_expect_alive http_2xx http_3xx}. */
    public static final Set<Integer> DEFAULT_EXPECTED_STATUS = Set.of(2, 3);
    /** The longest request {@link #withHttpSend} takes. */
    public static final int MAX_HTTP_SEND = 4096;

    private static final Pattern REQUEST_LINE = Pattern.compile("[!-~&&[^()<>@,;:\\\\\"/\\[\\]?={}]]+ (\\S+) HTTP/1\\.[01]");

    public HealthCheck {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be 1 or more, were " + rise + " and " + fall);
        }
        expectedStatus = expectedStatus == null ? DEFAULT_EXPECTED_STATUS : Set.copyOf(expectedStatus);
        if (expectedStatus.isEmpty() || expectedStatus.stream().anyMatch(c -> c < 1 || c > 5)) {
            throw new IllegalArgumentException("expectedStatus must be status classes 1..5 (2 for 2xx), was "
                    + expectedStatus);
        }
        if (httpSend != null) {
            httpPath = requestTarget(httpSend);
        } else if (httpPath != null && !httpPath.startsWith("/")) {
            throw new IllegalArgumentException("httpPath must start with /, was " + httpPath);
        }
        if (httpPath != null && httpPath.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new IllegalArgumentException("httpPath must be printable ASCII without spaces, was " + httpPath);
        }
    }

    /** The form before {@code expectedStatus} and {@code httpSend}: 2xx and 3xx are healthy, the default request. */
    public HealthCheck(Duration interval, int rise, int fall, Duration timeout, String httpPath) {
        this(interval, rise, fall, timeout, httpPath, DEFAULT_EXPECTED_STATUS, null);
    }

    /** A TCP connect every 5 seconds; out after 3 failures, back after 2 successes; 1 second timeout. */
    public static HealthCheck tcp() {
        return new HealthCheck(DEFAULT_INTERVAL, DEFAULT_RISE, DEFAULT_FALL, DEFAULT_TIMEOUT, null);
    }

    /** {@code GET path} with the same defaults as {@link #tcp()}; 2xx and 3xx are healthy. */
    public static HealthCheck http(String path) {
        return new HealthCheck(DEFAULT_INTERVAL, DEFAULT_RISE, DEFAULT_FALL, DEFAULT_TIMEOUT, path);
    }

    /** True if the probe is an HTTP request, false for a TCP connect. */
    public boolean isHttp() {
        return httpPath != null;
    }

    public HealthCheck withInterval(Duration value) {
        return new HealthCheck(value, rise, fall, timeout, httpPath, expectedStatus, httpSend);
    }

    public HealthCheck withRise(int value) {
        return new HealthCheck(interval, value, fall, timeout, httpPath, expectedStatus, httpSend);
    }

    public HealthCheck withFall(int value) {
        return new HealthCheck(interval, rise, value, timeout, httpPath, expectedStatus, httpSend);
    }

    public HealthCheck withTimeout(Duration value) {
        return new HealthCheck(interval, rise, fall, value, httpPath, expectedStatus, httpSend);
    }

    /**
     * nginx's {@code check_http_expect_alive}: the status classes that count as healthy, 1 to 5
     * ({@code Set.of(2, 3)} is {@code http_2xx http_3xx}).
     */
    public HealthCheck withExpectedStatus(Set<Integer> classes) {
        return new HealthCheck(interval, rise, fall, timeout, httpPath, Objects.requireNonNull(classes, "classes"),
                httpSend);
    }

    /**
     * nginx's {@code check_http_send}: the request to send instead of the default {@code GET}, as
     * is (so it must bring its own {@code Host} where the server needs one). It makes this an
     * HTTP check of the request line's target. It must be at most {@value #MAX_HTTP_SEND} bytes of
     * printable ASCII in CRLF-terminated lines, start with an HTTP/1.0 or 1.1 request line and end
     * with the empty line; null goes back to the default {@code GET} of the same target.
     */
    public HealthCheck withHttpSend(String request) {
        return new HealthCheck(interval, rise, fall, timeout, httpPath, expectedStatus, request);
    }

    /** The bytes an HTTP probe of {@code hostAndPort} sends. */
    byte[] request(String hostAndPort) {
        String text = httpSend != null ? httpSend : "GET " + httpPath + " HTTP/1.1\r\nHost: " + hostAndPort
                + "\r\nUser-Agent: weft-health-check\r\nConnection: close\r\n\r\n";
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String requestTarget(String request) {
        if (request.length() > MAX_HTTP_SEND) {
            throw new IllegalArgumentException("httpSend must be at most " + MAX_HTTP_SEND + " bytes, was "
                    + request.length());
        }
        for (int i = 0; i < request.length(); i++) {
            char c = request.charAt(i);
            boolean crlf = c == '\r' && i + 1 < request.length() && request.charAt(i + 1) == '\n'
                    || c == '\n' && i > 0 && request.charAt(i - 1) == '\r';
            if (!crlf && (c < ' ' && c != '\t' || c >= 127)) {
                throw new IllegalArgumentException("httpSend must be printable ASCII in lines ending with CRLF, has "
                        + String.format("0x%02x", (int) c) + " at " + i);
            }
        }
        if (!request.endsWith("\r\n\r\n")) {
            throw new IllegalArgumentException("httpSend must end with an empty line (CRLF CRLF)");
        }
        Matcher line = REQUEST_LINE.matcher(request.substring(0, request.indexOf("\r\n")));
        if (!line.matches()) {
            throw new IllegalArgumentException("httpSend must start with a request line like GET / HTTP/1.1, was "
                    + request.substring(0, request.indexOf("\r\n")));
        }
        return line.group(1);
    }
}
