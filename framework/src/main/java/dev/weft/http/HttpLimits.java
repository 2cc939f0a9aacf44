package dev.weft.http;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds an HTTP server puts on every request, immutable; change one with a {@code withX} copy.
 *
 * <table>
 * <caption>Limits, defaults and what the client gets</caption>
 * <tr><th>limit</th><th>default</th><th>when exceeded</th></tr>
 * <tr><td>{@code maxRequestLineLength}</td><td>8 KiB</td><td>414 URI Too Long, close</td></tr>
 * <tr><td>{@code maxHeaderSize}</td><td>16 KiB (all field lines together)</td><td>431, close</td></tr>
 * <tr><td>{@code maxHeaderCount}</td><td>100 fields</td><td>431, close</td></tr>
 * <tr><td>{@code maxBodySize}</td><td>10 MiB</td><td>413, before reading when Content-Length says so</td></tr>
 * <tr><td>{@code maxChunkExtensionSize}</td><td>256 bytes per chunk line</td><td>400, close</td></tr>
 * <tr><td>{@code maxTrailerSize}</td><td>4 KiB</td><td>431, close</td></tr>
 * <tr><td>{@code headerTimeout}</td><td>30 s for the whole request head</td><td>408, close</td></tr>
 * <tr><td>{@code readTimeout}</td><td>10 s for any single read</td><td>408, close</td></tr>
 * <tr><td>{@code minBodyRate}</td><td>256 bytes/s, checked after {@code bodyRateGrace} (5 s)</td><td>408, close</td></tr>
 * <tr><td>{@code keepAliveTimeout}</td><td>60 s between requests</td><td>closed silently</td></tr>
 * <tr><td>{@code sendTimeout}</td><td>60 s without write progress</td><td>closed</td></tr>
 * <tr><td>{@code minSendRate}</td><td>256 bytes/s while the server waits on the client, after
 *     {@code sendRateGrace} (5 s)</td><td>reset, {@code weft.tcp.connections.closed{cause=slow_reader}}</td></tr>
 * <tr><td>{@code maxRequestsPerConnection}</td><td>0 = unlimited</td><td>{@code Connection: close} on the last</td></tr>
 * </table>
 *
 * <p>The header timeout and minimum rate are the Slowloris defences: a client that sends one byte
 * every few seconds never reaches the per-read timeout, but does not finish its head in 30 s.
 *
 * <p>The minimum send rate is the same defence on the response side (the slow-read attack): a
 * client that reads a few bytes every few seconds never lets the send timeout fire, but cannot keep
 * up 256 bytes/s. Only the time the server spends blocked in a write, waiting for the client to make
 * room, counts; a handler that writes slowly on purpose (server-sent events, a paced stream) is never
 * cut while its client keeps up. Each byte written earns the client {@code 1 / minSendRate} seconds
 * of such waiting, and what it saves by reading faster carries over up to {@code sendRateGrace}; a
 * write still waiting when that runs out ends the connection with a reset (the response is cut
 * anyway, and the unsent bytes should not stay in the kernel). In other words, averaged over the
 * time the server waited on it since the grace began, the client takes at least 256 bytes/s. At the
 * defaults, writes go to the socket in 8 KiB pieces and a client that stops keeping up is cut within
 * 5 s plus 8 KiB at 256 bytes/s: 37 s of waiting. The rate and the grace match {@code minBodyRate}'s
 * (and Kestrel's {@code MinResponseDataRate}, 240 bytes/s after 5 s): about 2 kbit/s, far below any
 * real link, so only clients that read slowly on purpose, or through a hopeless one, are cut. It
 * applies to upgraded connections and tunnels too (set it off there with
 * {@link dev.weft.tcp.Connection#minSendRate} on {@link Upgraded#connection()}). See
 * {@link dev.weft.tcp.Connection#minSendRate} for the exact rule.
 *
 * @param maxRequestLineLength     longest request line, without CRLF
 * @param maxHeaderSize            most bytes in all header field lines, CRLFs included
 * @param maxHeaderCount           most header fields
 * @param maxBodySize              largest request body, in bytes
 * @param maxChunkExtensionSize    longest chunk-size line, without CRLF
 * @param maxTrailerSize           most bytes in the trailer section of a chunked body
 * @param headerTimeout            time to receive the whole request head
 * @param readTimeout              time any one read may wait
 * @param minBodyRate              lowest accepted body rate, bytes per second
 * @param bodyRateGrace            how long a body may be slower than {@code minBodyRate} at first
 * @param keepAliveTimeout         idle time allowed between requests
 * @param sendTimeout              time a response write may make no progress
 * @param minSendRate              lowest accepted rate at which the client takes the response while
 *                                 the server waits on it, bytes per second; 0 turns it off
 * @param sendRateGrace            how far behind {@code minSendRate} the client may fall
 * @param maxRequestsPerConnection requests served per connection, 0 for no limit
 */
public record HttpLimits(
        int maxRequestLineLength,
        int maxHeaderSize,
        int maxHeaderCount,
        long maxBodySize,
        int maxChunkExtensionSize,
        int maxTrailerSize,
        Duration headerTimeout,
        Duration readTimeout,
        long minBodyRate,
        Duration bodyRateGrace,
        Duration keepAliveTimeout,
        Duration sendTimeout,
        long minSendRate,
        Duration sendRateGrace,
        int maxRequestsPerConnection) {

    /** The defaults in the table above. */
    public static final HttpLimits DEFAULTS = new HttpLimits(
            8 * 1024, 16 * 1024, 100, 10L * 1024 * 1024, 256, 4 * 1024,
            Duration.ofSeconds(30), Duration.ofSeconds(10), 256, Duration.ofSeconds(5),
            Duration.ofSeconds(60), Duration.ofSeconds(60), 256, Duration.ofSeconds(5), 0);

    /** Checks every field. */
    public HttpLimits {
        positive(maxRequestLineLength, "maxRequestLineLength");
        positive(maxHeaderSize, "maxHeaderSize");
        positive(maxHeaderCount, "maxHeaderCount");
        positive(maxBodySize, "maxBodySize");
        positive(maxChunkExtensionSize, "maxChunkExtensionSize");
        positive(maxTrailerSize, "maxTrailerSize");
        positive(headerTimeout, "headerTimeout");
        positive(readTimeout, "readTimeout");
        if (minBodyRate < 0) {
            throw new IllegalArgumentException("minBodyRate must not be negative, was " + minBodyRate);
        }
        Objects.requireNonNull(bodyRateGrace, "bodyRateGrace");
        positive(keepAliveTimeout, "keepAliveTimeout");
        positive(sendTimeout, "sendTimeout");
        if (minSendRate < 0) {
            throw new IllegalArgumentException("minSendRate must not be negative, was " + minSendRate);
        }
        Objects.requireNonNull(sendRateGrace, "sendRateGrace");
        if (sendRateGrace.isNegative()) {
            throw new IllegalArgumentException("sendRateGrace must not be negative, was " + sendRateGrace);
        }
        if (maxRequestsPerConnection < 0) {
            throw new IllegalArgumentException("maxRequestsPerConnection must not be negative");
        }
    }

    public HttpLimits withMaxRequestLineLength(int v) {
        return new HttpLimits(v, maxHeaderSize, maxHeaderCount, maxBodySize, maxChunkExtensionSize,
                maxTrailerSize, headerTimeout, readTimeout, minBodyRate, bodyRateGrace, keepAliveTimeout,
                sendTimeout, minSendRate, sendRateGrace, maxRequestsPerConnection);
    }

    public HttpLimits withMaxHeaderSize(int v) {
        return new HttpLimits(maxRequestLineLength, v, maxHeaderCount, maxBodySize, maxChunkExtensionSize,
                maxTrailerSize, headerTimeout, readTimeout, minBodyRate, bodyRateGrace, keepAliveTimeout,
                sendTimeout, minSendRate, sendRateGrace, maxRequestsPerConnection);
    }

    public HttpLimits withMaxHeaderCount(int v) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSize, v, maxBodySize, maxChunkExtensionSize,
                maxTrailerSize, headerTimeout, readTimeout, minBodyRate, bodyRateGrace, keepAliveTimeout,
                sendTimeout, minSendRate, sendRateGrace, maxRequestsPerConnection);
    }

    public HttpLimits withMaxBodySize(long v) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSize, maxHeaderCount, v, maxChunkExtensionSize,
                maxTrailerSize, headerTimeout, readTimeout, minBodyRate, bodyRateGrace, keepAliveTimeout,
                sendTimeout, minSendRate, sendRateGrace, maxRequestsPerConnection);
    }

    public HttpLimits withMaxChunkExtensionSize(int v) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxBodySize, v,
                maxTrailerSize, headerTimeout, readTimeout, minBodyRate, bodyRateGrace, keepAliveTimeout,
                sendTimeout, minSendRate, sendRateGrace, maxRequestsPerConnection);
    }

    public HttpLimits withMaxTrailerSize(int v) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxBodySize,
                maxChunkExtensionSize, v, headerTimeout, readTimeout, minBodyRate, bodyRateGrace,
                keepAliveTimeout, sendTimeout, minSendRate, sendRateGrace, maxRequestsPerConnection);
    }

    public HttpLimits withHeaderTimeout(Duration v) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxBodySize,
                maxChunkExtensionSize, maxTrailerSize, v, readTimeout, minBodyRate, bodyRateGrace,
                keepAliveTimeout, sendTimeout, minSendRate, sendRateGrace, maxRequestsPerConnection);
    }

    public HttpLimits withReadTimeout(Duration v) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxBodySize,
                maxChunkExtensionSize, maxTrailerSize, headerTimeout, v, minBodyRate, bodyRateGrace,
                keepAliveTimeout, sendTimeout, minSendRate, sendRateGrace, maxRequestsPerConnection);
    }

    /** The minimum body rate in bytes per second (0 turns the check off), enforced after {@code grace}. */
    public HttpLimits withMinBodyRate(long bytesPerSecond, Duration grace) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxBodySize,
                maxChunkExtensionSize, maxTrailerSize, headerTimeout, readTimeout, bytesPerSecond, grace,
                keepAliveTimeout, sendTimeout, minSendRate, sendRateGrace, maxRequestsPerConnection);
    }

    public HttpLimits withKeepAliveTimeout(Duration v) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxBodySize,
                maxChunkExtensionSize, maxTrailerSize, headerTimeout, readTimeout, minBodyRate, bodyRateGrace,
                v, sendTimeout, minSendRate, sendRateGrace, maxRequestsPerConnection);
    }

    public HttpLimits withSendTimeout(Duration v) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxBodySize,
                maxChunkExtensionSize, maxTrailerSize, headerTimeout, readTimeout, minBodyRate, bodyRateGrace,
                keepAliveTimeout, v, minSendRate, sendRateGrace, maxRequestsPerConnection);
    }

    /**
     * The minimum rate, in bytes per second, at which the client must take a response while the
     * server waits on it (0 turns the check off), and how far behind it the client may fall.
     */
    public HttpLimits withMinSendRate(long bytesPerSecond, Duration grace) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxBodySize,
                maxChunkExtensionSize, maxTrailerSize, headerTimeout, readTimeout, minBodyRate, bodyRateGrace,
                keepAliveTimeout, sendTimeout, bytesPerSecond, grace, maxRequestsPerConnection);
    }

    /** Requests served per connection before {@code Connection: close}; 0 for no limit. */
    public HttpLimits withMaxRequestsPerConnection(int v) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxBodySize,
                maxChunkExtensionSize, maxTrailerSize, headerTimeout, readTimeout, minBodyRate, bodyRateGrace,
                keepAliveTimeout, sendTimeout, minSendRate, sendRateGrace, v);
    }

    private static void positive(long v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + v);
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
