package dev.weft.tcp;

import java.util.Locale;

/**
 * How a {@link TcpServer} talks to its sockets. Handlers see no difference: either way each
 * connection runs on its own virtual thread with blocking streams.
 *
 * <p>The default is {@link #JDK}, unless the system property {@code weft.transport} names another
 * ({@code -Dweft.transport=epoll}): then every server without TLS uses it where this JVM can run it,
 * and logs a warning and uses {@link #JDK} where it cannot. A server built with
 * {@link TcpServer.Builder#transport} uses what it was given, or fails to start saying why.
 */
public enum Transport {

    /** The JDK's blocking {@link java.net.Socket}: any JDK 21+, any OS, and TLS. */
    JDK,

    /**
     * Weft's own Linux epoll transport, on the JDK's foreign function API (JDK 22 or newer). Each
     * socket is registered once, edge-triggered, and a read waits for readiness only after the
     * kernel ran dry, so a message costs a {@code read} and a {@code write}: no failed read and no
     * re-arming {@code epoll_ctl} as on the JDK's path. Pollers run as virtual threads, so waking a
     * connection does not cross to another OS thread. No TLS: a server with TLS uses {@link #JDK}.
     * Start the JVM with {@code --enable-native-access=dev.weft} (or {@code ALL-UNNAMED} on the
     * class path) to silence the JDK's warning about native access.
     */
    EPOLL;

    /**
     * Whether this JVM can run this transport: {@link #JDK} always; {@link #EPOLL} on Linux (amd64,
     * aarch64) with JDK 22 or newer, from a jar that carries it.
     */
    public boolean isAvailable() {
        return Transports.unavailable(this) == null;
    }

    /** The transport named by the {@code weft.transport} system property, {@link #JDK} if unset. */
    static Transport fromSystemProperty() {
        String value = System.getProperty("weft.transport");
        if (value == null || value.isBlank()) {
            return JDK;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("weft.transport must be jdk or epoll, was '" + value + "'", e);
        }
    }
}
