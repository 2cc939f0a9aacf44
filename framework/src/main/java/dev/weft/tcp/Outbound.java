package dev.weft.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/** Where {@link OutboundSocket#connect} opens its socket: on the caller's carrier if it runs on one, else the JDK's. */
final class Outbound {

    /** {@code -Dweft.outbound=jdk}: the JDK's sockets everywhere (read once). */
    private static final boolean JDK_ONLY = jdkOnly(System.getProperty(OutboundSocket.PROPERTY, "auto"));

    private Outbound() {
    }

    static OutboundSocket connect(InetSocketAddress address, Duration timeout) throws IOException {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + address + ": resolve it first");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the connect timeout must be positive, was " + timeout);
        }
        if (!JDK_ONLY && Thread.currentThread().isVirtual()) {
            OutboundSocket s = Transports.connectOnCarrier(address, System.nanoTime() + timeout.toNanos());
            if (s != null) {
                return s;
            }
        }
        SocketChannel channel = SocketChannel.open();
        try {
            channel.socket().setTcpNoDelay(true);
            channel.socket().connect(address, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            return new JdkOutboundSocket(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    static boolean jdkOnly(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto", "" -> false;
            case "jdk" -> true;
            default -> throw new IllegalArgumentException("-D" + OutboundSocket.PROPERTY + "=" + value
                    + " is not a choice: auto or jdk");
        };
    }
}
