package dev.weft.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@link MockUpstream} does with one request: a response, and how (and whether) it is
 * delivered. Immutable; each method returns a changed copy, so one line says it all:
 *
 * <pre>{@code
 * Answer.ok("hello")                                      // 200, Content-Length: 5, keep-alive
 * Answer.ok("hello").chunked(2).connectionClose()         // chunked, "Connection: close", then closes
 * Answer.ok("hello").declaredLength(100).thenClose()      // promises 100 bytes, sends 5, closes
 * Answer.ok("hello").resetAfter(10)                       // RST after 10 bytes of the response
 * Answer.ok("hello").delay(Duration.ofSeconds(2))         // nothing for 2 s, then the response
 * Answer.ok("x".repeat(100)).trickle(3, Duration.ofMillis(20))  // 3 bytes per write, 20 ms apart
 * Answer.noAnswer()                                       // reads the request, never answers
 * Answer.resetOnAccept()                                  // RST as soon as the connection is accepted
 * Answer.raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")  // exactly these bytes
 * }</pre>
 *
 * <p><b>The response.</b> {@link #status}, {@link #ok} and the malformed-head factories build a
 * head and body: {@code HTTP/1.1 <status> <reason>}, the {@link #header header} fields in the order
 * added, then framing: {@code Transfer-Encoding: chunked} when {@link #chunked chunked}, and
 * {@code Content-Length} (the body's length, or the {@link #declaredLength declared} one) unless
 * the status has no body (1xx, 204, 304). A {@code Content-Length} or {@code Transfer-Encoding}
 * field added by hand replaces the automatic one. {@link #raw} answers are written byte for byte.
 *
 * <p><b>Delivery.</b> Positions count bytes of the whole answer, head included ({@link #resetAfter},
 * {@link #closeAfter}, {@link #stallAfter}), or of the body as sent ({@link #stallInBody}). A
 * pause ({@link #delay}, {@code stallAfter(n, d)}) waits and goes on; a reset, close or stall ends
 * the answer there. After the last byte the connection reads the next request (keep-alive) unless
 * {@link #thenClose}, {@link #thenReset}, {@link #thenStall} or {@link #thenEcho} says otherwise.
 * A reset is {@code SO_LINGER} 0 and close: the kernel sends RST and drops unsent bytes. Stalls
 * end when the upstream closes.
 */
public final class Answer {

    /** What the connection does after the last byte. */
    enum Ending { KEEP_ALIVE, CLOSE, RESET, STALL, ECHO }

    /** What happens at a position inside the answer. */
    enum Action { PAUSE, STALL, CLOSE, RESET }

    private enum Anchor { START, BODY, MID_CHUNK }

    private record Cut(Anchor anchor, long offset, Action action, Duration pause) {
    }

    /** One step of delivery: at byte {@code at}, do {@code action} (a pause lasts {@code pause}). */
    record Step(int at, Action action, Duration pause) {
    }

    /** An answer rendered for playing: its bytes, the steps in order, and how it ends. */
    record Plan(byte[] bytes, List<Step> steps, Ending ending, int trickleBytes, Duration trickleDelay,
            boolean onAccept, boolean beforeBody) {
    }

    private byte[] raw;
    private int status;
    private String reason;
    private List<RecordedRequest.Field> headers = new ArrayList<>();
    private byte[] body = new byte[0];
    private int chunkSize;
    private long declaredLength = -1;
    private List<Cut> cuts = new ArrayList<>();
    private Ending ending = Ending.KEEP_ALIVE;
    private int trickleBytes;
    private Duration trickleDelay = Duration.ZERO;
    private boolean onAccept;
    private boolean beforeBody;

    private Answer() {
    }

    // ---- Responses ----

    /** A response with this status, its usual reason phrase (or none) and an empty body. */
    public static Answer status(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must have three digits, was " + status);
        }
        Answer a = new Answer();
        a.status = status;
        a.reason = reasonPhrase(status);
        return a;
    }

    /** {@code 200 OK} with this body (UTF-8). */
    public static Answer ok(String body) {
        return status(200).body(body);
    }

    /** Exactly these bytes as the answer, no head added. */
    public static Answer raw(byte[] bytes) {
        Answer a = new Answer();
        a.raw = bytes.clone();
        return a;
    }

    /** Exactly these characters (ISO-8859-1, so {@code \r\n} is written as is), no head added. */
    public static Answer raw(String text) {
        return raw(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads the request and never answers: the connection stays open until the upstream closes. */
    public static Answer noAnswer() {
        return raw(new byte[0]).thenStall();
    }

    /** Accepts the connection and resets it at once, before reading anything. */
    public static Answer resetOnAccept() {
        return raw(new byte[0]).onAccept().thenReset();
    }

    /** Reads the request head and resets the connection, without reading a body or answering. */
    public static Answer resetAfterRequestHead() {
        return raw(new byte[0]).beforeRequestBody().thenReset();
    }

    /**
     * {@code 101 Switching Protocols} ({@code Connection: Upgrade}, {@code Upgrade: echo}), then
     * every byte the client sends is echoed back until it closes: a stand-in for a tunnel.
     */
    public static Answer switchingProtocols() {
        return status(101).header("Connection", "Upgrade").header("Upgrade", "echo").thenEcho();
    }

    /** A status line that is not HTTP ({@code HTTP/1.1 2x0 OK}), then close. */
    public static Answer garbageStatusLine() {
        return raw("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n").thenClose();
    }

    /** A header line without a colon, then close. */
    public static Answer badHeaderLine() {
        return raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nthis line has no colon\r\n\r\nok").thenClose();
    }

    /** Two {@code Content-Length} fields that disagree (2 and 3), then close. */
    public static Answer conflictingContentLengths() {
        return status(200).header("Content-Length", "2").header("Content-Length", "3").body("ok!").thenClose();
    }

    /** A 200 whose head carries about {@code kib} KiB of header fields ({@code X-Filler-N}, 1 KiB each). */
    public static Answer oversizedHead(int kib) {
        Answer a = status(200);
        String filler = "f".repeat(1024 - 16);
        for (int i = 0; i < kib; i++) {
            a.headers.add(new RecordedRequest.Field(String.format(Locale.ROOT, "X-Filler-%04d", i), filler));
        }
        return a;
    }

    // ---- The head and body ----

    /** Replaces the reason phrase. */
    public Answer reason(String reason) {
        Answer a = http();
        a.reason = Objects.requireNonNull(reason, "reason");
        return a;
    }

    /** Adds a header field (after those added before; the same name may repeat). */
    public Answer header(String name, String value) {
        Answer a = http();
        a.headers.add(new RecordedRequest.Field(name, value));
        return a;
    }

    /** The body, as UTF-8. */
    public Answer body(String text) {
        return body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The body. */
    public Answer body(byte[] bytes) {
        Answer a = http();
        a.body = bytes.clone();
        return a;
    }

    /** Sends the body chunked, in chunks of {@code chunkSize} bytes (the last may be shorter). */
    public Answer chunked(int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be positive, was " + chunkSize);
        }
        Answer a = http();
        a.chunkSize = chunkSize;
        return a;
    }

    /**
     * Declares {@code Content-Length: length} whatever the body is: more than the body and the client
     * waits for bytes that never come (add {@link #thenClose}); less and the rest is extra bytes on
     * the connection. With {@link #chunked} it is sent beside {@code Transfer-Encoding}.
     */
    public Answer declaredLength(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, was " + length);
        }
        Answer a = http();
        a.declaredLength = length;
        return a;
    }

    /** Adds {@code Connection: close} and closes after the answer. */
    public Answer connectionClose() {
        return header("Connection", "close").thenClose();
    }

    // ---- Delivery ----

    /** Waits {@code pause} before the first byte. */
    public Answer delay(Duration pause) {
        return cut(Anchor.START, 0, Action.PAUSE, pause);
    }

    /** Writes the first {@code bytes} bytes, then resets the connection (RST). */
    public Answer resetAfter(int bytes) {
        return cut(Anchor.START, bytes, Action.RESET, null);
    }

    /** Writes the first {@code bytes} bytes, then closes the connection (FIN). */
    public Answer closeAfter(int bytes) {
        return cut(Anchor.START, bytes, Action.CLOSE, null);
    }

    /** Writes the first {@code bytes} bytes, then holds the connection open, silent, until the upstream closes. */
    public Answer stallAfter(int bytes) {
        return cut(Anchor.START, bytes, Action.STALL, null);
    }

    /** Writes the first {@code bytes} bytes, waits {@code pause}, then writes the rest. */
    public Answer stallAfter(int bytes, Duration pause) {
        return cut(Anchor.START, bytes, Action.PAUSE, pause);
    }

    /** Writes the head and {@code bodyBytes} bytes of the body (as sent, chunk framing included), then stalls for good. */
    public Answer stallInBody(int bodyBytes) {
        return cut(Anchor.BODY, bodyBytes, Action.STALL, null);
    }

    /** Writes the head and {@code bodyBytes} bytes of the body as sent, waits {@code pause}, then the rest. */
    public Answer stallInBody(int bodyBytes, Duration pause) {
        return cut(Anchor.BODY, bodyBytes, Action.PAUSE, pause);
    }

    /** With {@link #chunked}: closes the connection halfway through the last chunk's data. */
    public Answer closeInChunk() {
        return cut(Anchor.MID_CHUNK, 0, Action.CLOSE, null);
    }

    /** Writes {@code bytesPerWrite} bytes at a time, {@code pause} apart. */
    public Answer trickle(int bytesPerWrite, Duration pause) {
        if (bytesPerWrite < 1) {
            throw new IllegalArgumentException("bytesPerWrite must be positive, was " + bytesPerWrite);
        }
        Answer a = copy();
        a.trickleBytes = bytesPerWrite;
        a.trickleDelay = nonNegative(pause);
        return a;
    }

    /** Closes the connection after the answer. */
    public Answer thenClose() {
        return ending(Ending.CLOSE);
    }

    /** Resets the connection (RST) after the answer. */
    public Answer thenReset() {
        return ending(Ending.RESET);
    }

    /** Holds the connection open after the answer, reading nothing more, until the upstream closes. */
    public Answer thenStall() {
        return ending(Ending.STALL);
    }

    /** After the answer, echoes every byte the client sends until it closes its side, then closes. */
    public Answer thenEcho() {
        return ending(Ending.ECHO);
    }

    /**
     * Plays this answer as soon as a connection is accepted, before reading any request: a server
     * that speaks first, or one that resets at once. Such an answer is taken from the queue by the
     * next connection accepted while it is first in line (or always, as the default answer).
     */
    public Answer onAccept() {
        Answer a = copy();
        a.onAccept = true;
        return a;
    }

    /**
     * Plays this answer once the request head has arrived, without reading the body (which is then
     * recorded empty). If the connection stays open, the body is read and dropped before the next
     * request.
     */
    public Answer beforeRequestBody() {
        Answer a = copy();
        a.beforeBody = true;
        return a;
    }

    // ---- Rendering ----

    /** The bytes and steps this answer plays; fails if they contradict each other. */
    Plan plan() {
        byte[] bytes;
        int bodyStart;
        int midChunk = -1;
        if (raw != null) {
            bytes = raw;
            bodyStart = bodyStart(raw);
        } else {
            byte[] head = head();
            ByteArrayOutputStream all = new ByteArrayOutputStream(head.length + body.length + 64);
            all.writeBytes(head);
            if (chunkSize > 0) {
                for (int from = 0; from < body.length; from += chunkSize) {
                    int length = Math.min(chunkSize, body.length - from);
                    all.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    midChunk = all.size() + Math.max(1, length / 2);
                    all.write(body, from, length);
                    all.writeBytes(new byte[] {'\r', '\n'});
                }
                all.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                all.writeBytes(body);
            }
            bytes = all.toByteArray();
            bodyStart = head.length;
        }
        List<Step> steps = new ArrayList<>();
        for (Cut cut : cuts) {
            long at = switch (cut.anchor()) {
                case START -> cut.offset();
                case BODY -> bodyStart + cut.offset();
                case MID_CHUNK -> {
                    if (midChunk < 0) {
                        throw new IllegalStateException("closeInChunk() needs chunked(n) and a body that is not empty");
                    }
                    yield midChunk;
                }
            };
            steps.add(new Step((int) Math.min(at, bytes.length), cut.action(), cut.pause()));
        }
        steps.sort(Comparator.comparingInt(Step::at)); // stable: steps at one position keep their order
        return new Plan(bytes, List.copyOf(steps), ending, trickleBytes, trickleDelay, onAccept, beforeBody);
    }

    private byte[] head() {
        StringBuilder head = new StringBuilder(128).append("HTTP/1.1 ").append(status).append(' ').append(reason)
                .append("\r\n");
        boolean hasLength = false;
        boolean hasCoding = false;
        for (RecordedRequest.Field f : headers) {
            head.append(f.name()).append(": ").append(f.value()).append("\r\n");
            hasLength |= f.name().equalsIgnoreCase("Content-Length");
            hasCoding |= f.name().equalsIgnoreCase("Transfer-Encoding");
        }
        if (chunkSize > 0 && !hasCoding) {
            head.append("Transfer-Encoding: chunked\r\n");
            hasCoding = true;
        }
        boolean bodyless = status < 200 || status == 204 || status == 304;
        if (!hasLength && declaredLength >= 0) {
            head.append("Content-Length: ").append(declaredLength).append("\r\n");
        } else if (!hasLength && !hasCoding && !bodyless) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Where a raw answer's body starts: after its first empty line, or 0 if it has none. */
    private static int bodyStart(byte[] bytes) {
        for (int i = 3; i < bytes.length; i++) {
            if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                return i + 1;
            }
        }
        return 0;
    }

    private Answer http() {
        if (raw != null) {
            throw new IllegalStateException("a raw answer is written as given: build it with status(...) to set a head or body");
        }
        return copy();
    }

    private Answer cut(Anchor anchor, long offset, Action action, Duration pause) {
        if (offset < 0) {
            throw new IllegalArgumentException("a position must not be negative, was " + offset);
        }
        Answer a = copy();
        a.cuts.add(new Cut(anchor, offset, action, action == Action.PAUSE ? nonNegative(pause) : null));
        return a;
    }

    private Answer ending(Ending value) {
        Answer a = copy();
        a.ending = value;
        return a;
    }

    private Answer copy() {
        Answer a = new Answer();
        a.raw = raw;
        a.status = status;
        a.reason = reason;
        a.headers = new ArrayList<>(headers);
        a.body = body;
        a.chunkSize = chunkSize;
        a.declaredLength = declaredLength;
        a.cuts = new ArrayList<>(cuts);
        a.ending = ending;
        a.trickleBytes = trickleBytes;
        a.trickleDelay = trickleDelay;
        a.onAccept = onAccept;
        a.beforeBody = beforeBody;
        return a;
    }

    private static Duration nonNegative(Duration d) {
        Objects.requireNonNull(d, "pause");
        if (d.isNegative()) {
            throw new IllegalArgumentException("a pause must not be negative, was " + d);
        }
        return d;
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 101 -> "Switching Protocols";
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "";
        };
    }

    @Override
    public String toString() {
        String what = raw != null ? raw.length + " raw bytes" : "HTTP/1.1 " + status + " with " + body.length + " body bytes";
        return "Answer(" + what + (chunkSize > 0 ? ", chunked" : "") + (cuts.isEmpty() ? "" : ", " + cuts.size() + " cuts")
                + ", then " + ending.name().toLowerCase(Locale.ROOT) + ")";
    }
}
