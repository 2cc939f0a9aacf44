package dev.weft.tcp;

import java.util.Locale;

/**
 * How a {@link TcpServer} talks to its sockets. Handlers see no difference: either way each
 * connection runs on its own virtual thread with blocking streams.
 *
 * <p>The default ({@code weft.transport} unset or {@code auto}) is the fast path wherever the JVM
 * allows it: {@link #EPOLL} with its pollers and connections on Weft's carriers (issue #18) when
 * this is Linux on JDK 22+, native access is enabled for Weft ({@code --enable-native-access}) and
 * {@code java.base} opens {@code java.lang} to it ({@code --add-opens}); {@link #JDK} elsewhere,
 * with one INFO line per JVM naming what is missing. {@code ./weft} passes both flags. The system
 * property {@code weft.transport} may name one ({@code -Dweft.transport=epoll} or {@code jdk}): then
 * every server without TLS uses it where this JVM can run it, and logs a warning and uses
 * {@link #JDK} where it cannot. A server built with {@link TcpServer.Builder#transport} uses what
 * it was given, or fails to start saying why.
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

    /** The transport named by the {@code weft.transport} system property; unset or {@code auto}: {@link #automatic()}. */
    static Transport fromSystemProperty() {
        String value = System.getProperty("weft.transport");
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("auto")) {
            return automatic();
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("weft.transport must be auto, jdk or epoll, was '" + value + "'", e);
        }
    }

    /** The default's choice (see the class comment), made once per JVM. */
    static Transport automatic() {
        return Automatic.CHOICE;
    }

    /** Decided on first use, with its one log line. */
    private static final class Automatic {
        static final Transport CHOICE = decide();

        private static Transport decide() {
            String why = Transports.unavailable(EPOLL);
            if (why == null && !Transports.nativeAccessEnabled()) {
                why = "native access is not enabled for " + VirtualThreadAccess.moduleName()
                        + " (start the JVM with --enable-native-access=" + VirtualThreadAccess.moduleTarget() + ")";
            }
            if (why == null && System.getProperty(VirtualThreadAccess.PROPERTY, "").trim().equalsIgnoreCase("default")) {
                why = "weft.scheduler=default asks for the JDK's scheduler";
            }
            if (why == null) {
                why = VirtualThreadAccess.unopened();
            }
            if (why == null && !VirtualThreadAccess.probe().available()) {
                why = VirtualThreadAccess.probe().reason();
            }
            System.Logger log = System.getLogger(Transport.class.getName());
            if (why != null) {
                log.log(System.Logger.Level.INFO, "Servers run on Transport.JDK, the portable path: " + why
                        + "; -Dweft.transport=epoll or jdk chooses");
                return JDK;
            }
            log.log(System.Logger.Level.INFO, "Servers run on Transport.EPOLL with Weft's carriers, the fast path"
                    + " (native access and java.lang are open to " + VirtualThreadAccess.moduleName()
                    + "); -Dweft.transport=jdk chooses the portable one");
            return EPOLL;
        }
    }
}
