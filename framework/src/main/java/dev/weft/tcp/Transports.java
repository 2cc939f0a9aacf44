package dev.weft.tcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketOption;
import java.util.Locale;
import java.util.Set;

/**
 * Opens listening sockets for a {@link Transport}. The epoll transport's classes are compiled for
 * JDK 22 and ship in the jar's {@code META-INF/versions/22}, so this release-21 code finds them by
 * name; on JDK 21 they are not there and asking for epoll fails with a sentence saying why.
 */
final class Transports {

    private static final String EPOLL_CLASS = "dev.weft.tcp.EpollServerSocket";
    private static final String EPOLL_OUTBOUND_CLASS = "dev.weft.tcp.EpollOutboundSocket";

    /** Why this JVM cannot run the epoll transport at all (the OS, the JDK, the CPU), or null: fixed for its life. */
    private static final String EPOLL_UNAVAILABLE = epollUnavailable();

    private Transports() {
    }

    static ServerSocketIo listen(Transport transport, InetSocketAddress address, int backlog, Integer receiveBuffer)
            throws IOException {
        if (transport == Transport.JDK) {
            return JdkServerSocketIo.open(address, backlog, receiveBuffer);
        }
        try {
            return (ServerSocketIo) Epoll.OPEN.invokeExact(address, backlog, receiveBuffer);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * An outgoing socket on the calling virtual thread's carrier, connected by {@code deadline}
     * ({@link System#nanoTime()}), or null where there is none: not in the epoll transport's carrier
     * mode, or a thread of another scheduler (see {@link OutboundSocket}).
     */
    static OutboundSocket connectOnCarrier(InetSocketAddress address, long deadline) throws IOException {
        if (EPOLL_UNAVAILABLE != null || Epoll.MISSING != null) {
            return null;
        }
        try {
            return (OutboundSocket) Epoll.CONNECT.invokeExact(address, deadline);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@link OutboundSocket#currentAffinity()} for a virtual thread. */
    static int currentAffinity() {
        if (EPOLL_UNAVAILABLE != null || Epoll.MISSING != null) {
            return -1;
        }
        try {
            return (int) Epoll.AFFINITY.invokeExact();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The socket options an accepted socket of {@code transport} takes. */
    @SuppressWarnings("unchecked")
    static Set<SocketOption<?>> supportedOptions(Transport transport) {
        if (transport == Transport.JDK) {
            try (Socket probe = new Socket()) {
                return probe.supportedOptions();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            return (Set<SocketOption<?>>) Epoll.OPTIONS.invokeExact();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Why {@code transport} cannot run in this JVM, or null if it can: epoll needs Linux on amd64 or
     * aarch64, JDK 22 or newer, and the classes this jar carries for it.
     */
    static String unavailable(Transport transport) {
        if (transport == Transport.JDK) {
            return null;
        }
        String why = EPOLL_UNAVAILABLE;
        return why != null ? why : Epoll.MISSING;
    }

    private static String epollUnavailable() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "Transport.EPOLL needs Linux; this is " + System.getProperty("os.name");
        }
        if (Runtime.version().feature() < 22) {
            return "Transport.EPOLL needs JDK 22 or newer (the foreign function API); this is JDK "
                    + Runtime.version().feature();
        }
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("aarch64")) {
            return "Transport.EPOLL runs on amd64 and aarch64; this is " + arch;
        }
        return null;
    }

    /** The epoll transport's entry points, looked up on first use (after {@link #unavailable}). */
    private static final class Epoll {
        static final MethodHandle OPEN;
        static final MethodHandle OPTIONS;
        static final MethodHandle CONNECT;
        static final MethodHandle AFFINITY;
        /** Why the classes could not be found, or null. */
        static final String MISSING;

        static {
            MethodHandle open = null;
            MethodHandle options = null;
            MethodHandle connect = null;
            MethodHandle affinity = null;
            String missing = null;
            try {
                Class<?> c = Class.forName(EPOLL_CLASS);
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                open = lookup.findStatic(c, "open", MethodType.methodType(
                        c, InetSocketAddress.class, int.class, Integer.class))
                        .asType(MethodType.methodType(ServerSocketIo.class, InetSocketAddress.class, int.class,
                                Integer.class));
                options = lookup.findStatic(c, "supportedOptions", MethodType.methodType(Set.class));
                Class<?> outbound = Class.forName(EPOLL_OUTBOUND_CLASS);
                connect = lookup.findStatic(outbound, "connectOnCarrier",
                        MethodType.methodType(OutboundSocket.class, InetSocketAddress.class, long.class));
                affinity = lookup.findStatic(outbound, "currentAffinity", MethodType.methodType(int.class));
            } catch (ReflectiveOperationException | LinkageError e) {
                missing = "Transport.EPOLL is missing from this build of Weft (no " + EPOLL_CLASS
                        + " for JDK " + Runtime.version().feature() + "): " + e;
            }
            OPEN = open;
            OPTIONS = options;
            CONNECT = connect;
            AFFINITY = affinity;
            MISSING = missing;
        }
    }
}
