package dev.weft.tcp;

import java.io.IOException;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A connection failed because of the peer or the network, not because of the code using it: the
 * peer reset it, the kernel gave up on a peer that stopped answering, a route went away. The
 * streams of a {@link Connection} throw it on both transports, with the JDK's wording ("Connection
 * reset", "Broken pipe", "Connection timed out"), so code that catches {@link SocketException} sees
 * no change; {@link #kind()} says which failure it was without reading the message.
 *
 * <p>{@link Transport#EPOLL} knows the kernel's error number and throws it from there;
 * {@link Transport#JDK} is told only the JDK's message and translates it (see
 * {@link #kindOf(Throwable)}). The server counts these failures as {@link CloseCause#RESET},
 * {@link CloseCause#BROKEN_PIPE} or {@link CloseCause#NETWORK_ERROR} and logs them at DEBUG at most:
 * any peer can cause them.
 */
public final class NetworkException extends SocketException {

    private static final long serialVersionUID = 1L;

    /** Which failure it was; the Linux error numbers in brackets. */
    public enum Kind {
        /** The peer reset the connection (ECONNRESET). */
        RESET,
        /** A write found the connection already gone (EPIPE). */
        BROKEN_PIPE,
        /**
         * The kernel gave up on the peer (ETIMEDOUT): keep-alive probes or retransmissions went
         * unanswered. Not a timeout of the server's own: those are {@link java.net.SocketTimeoutException}.
         */
        TIMED_OUT,
        /** The peer's host cannot be reached any more (EHOSTUNREACH, EHOSTDOWN). */
        HOST_UNREACHABLE,
        /** The network to the peer cannot be reached or is down (ENETUNREACH, ENETDOWN, ENETRESET). */
        NETWORK_UNREACHABLE,
        /** The kernel aborted the connection (ECONNABORTED). */
        ABORTED
    }

    /**
     * The JDK's wording of each kind (glibc's and macOS's {@code strerror}, and the JDK's own
     * "Connection reset"), looked for in the messages of its sockets: the JDK reports the error
     * number in no other way. A message in another language (the JDK words most of them through the
     * C library, which follows the locale) is not recognised.
     */
    private static final List<Map.Entry<String, Kind>> JDK_WORDING = List.of(
            Map.entry("Connection reset", Kind.RESET), // also "Connection reset by peer"
            Map.entry("Broken pipe", Kind.BROKEN_PIPE),
            Map.entry("Connection timed out", Kind.TIMED_OUT),
            Map.entry("Operation timed out", Kind.TIMED_OUT), // macOS
            Map.entry("No route to host", Kind.HOST_UNREACHABLE),
            Map.entry("Host is down", Kind.HOST_UNREACHABLE),
            Map.entry("Network is unreachable", Kind.NETWORK_UNREACHABLE),
            Map.entry("Network is down", Kind.NETWORK_UNREACHABLE),
            Map.entry("Network dropped connection on reset", Kind.NETWORK_UNREACHABLE),
            Map.entry("Software caused connection abort", Kind.ABORTED));

    private final Kind kind;

    NetworkException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** Which failure it was. */
    public Kind kind() {
        return kind;
    }

    /**
     * The kind of network failure {@code failure} or one of its causes is, or null if none is one.
     * Besides a {@code NetworkException}, it recognises a failure of the JDK's own
     * {@link java.net.Socket} or {@link java.nio.channels.SocketChannel} by its wording, so code with
     * sockets of its own (a client, a proxy's backend leg) asks the same question the same way. A
     * {@link java.net.SocketTimeoutException}, a timeout of the caller's own, is not one.
     */
    public static Kind kindOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NetworkException n) {
                return n.kind;
            }
            Kind k = isJdkSocketFailure(t) ? kindOfJdkMessage(t.getMessage()) : null;
            if (k != null) {
                return k;
            }
        }
        return null;
    }

    /**
     * {@code e} as a {@code NetworkException} if the JDK's socket worded one of the kinds (see
     * {@link #kindOf}), else {@code e} itself. The translation keeps the message and the stack, and
     * has {@code e} as its cause.
     */
    static IOException translate(IOException e) {
        if (!isJdkSocketFailure(e) || e instanceof NetworkException) {
            return e;
        }
        Kind kind = kindOfJdkMessage(e.getMessage());
        if (kind == null) {
            return e;
        }
        NetworkException n = new NetworkException(kind, e.getMessage());
        n.initCause(e);
        n.setStackTrace(e.getStackTrace());
        return n;
    }

    /**
     * Whether {@code t} is of the types the JDK words an error number in: {@link SocketException}
     * ({@link java.net.Socket}'s streams) or a plain {@link IOException} ({@code SocketChannel}'s,
     * under a channel's socket adaptor). A subclass (a timeout, a TLS failure, an EOF) is not.
     */
    private static boolean isJdkSocketFailure(Throwable t) {
        return t instanceof SocketException || t.getClass() == IOException.class;
    }

    /** The kind a JDK socket's message words, or null. */
    static Kind kindOfJdkMessage(String message) {
        if (message == null) {
            return null;
        }
        for (Map.Entry<String, Kind> wording : JDK_WORDING) {
            if (message.contains(wording.getKey())) {
                return wording.getValue();
            }
        }
        return null;
    }

    /** The kind a Linux error number stands for (the same on amd64 and aarch64), or null. */
    static Kind kindOfLinuxErrno(int errno) {
        return switch (errno) {
            case 104 -> Kind.RESET; // ECONNRESET
            case 32 -> Kind.BROKEN_PIPE; // EPIPE
            case 110 -> Kind.TIMED_OUT; // ETIMEDOUT
            case 113, 112 -> Kind.HOST_UNREACHABLE; // EHOSTUNREACH, EHOSTDOWN
            case 101, 100, 102 -> Kind.NETWORK_UNREACHABLE; // ENETUNREACH, ENETDOWN, ENETRESET
            case 103 -> Kind.ABORTED; // ECONNABORTED
            default -> null;
        };
    }
}
