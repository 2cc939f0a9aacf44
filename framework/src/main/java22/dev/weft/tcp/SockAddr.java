package dev.weft.tcp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** {@code struct sockaddr_in} and {@code sockaddr_in6}, to and from {@link InetSocketAddress}. */
final class SockAddr {

    /** Big enough for either. */
    static final int MAX_LENGTH = 28;

    private SockAddr() {
    }

    /**
     * Writes {@code address} for a socket of {@code family} into {@code out}; returns the length. An
     * IPv4 address on an IPv6 socket is written IPv4-mapped, a wildcard as the IPv6 wildcard.
     */
    static int encode(InetSocketAddress address, int family, byte[] out) {
        MemorySegment s = MemorySegment.ofArray(out);
        s.fill((byte) 0);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) family);
        int port = address.getPort();
        out[2] = (byte) (port >>> 8);
        out[3] = (byte) port;
        byte[] ip = address.getAddress().getAddress();
        if (family == Native.AF_INET) {
            System.arraycopy(ip, 0, out, 4, 4);
            return 16;
        }
        if (address.getAddress().isAnyLocalAddress()) {
            return MAX_LENGTH; // in6addr_any, all zero: both families (0.0.0.0 mapped would be IPv4 only)
        }
        if (ip.length == 4) {
            out[18] = (byte) 0xff;
            out[19] = (byte) 0xff;
            System.arraycopy(ip, 0, out, 20, 4);
        } else {
            System.arraycopy(ip, 0, out, 8, 16);
            if (address.getAddress() instanceof Inet6Address v6) {
                s.set(ValueLayout.JAVA_INT_UNALIGNED, 24, v6.getScopeId());
            }
        }
        return MAX_LENGTH;
    }

    /** Reads what the kernel wrote into {@code in}, or null if it is no IP address. */
    static InetSocketAddress decode(byte[] in, int length) {
        if (length < 2) {
            return null;
        }
        MemorySegment s = MemorySegment.ofArray(in);
        int family = s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0);
        int port = ((in[2] & 0xff) << 8) | (in[3] & 0xff);
        try {
            if (family == Native.AF_INET && length >= 16) {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(in, 4, 8)), port);
            }
            if (family == Native.AF_INET6 && length >= 24) {
                byte[] ip = Arrays.copyOfRange(in, 8, 24);
                int scope = length >= MAX_LENGTH ? s.get(ValueLayout.JAVA_INT_UNALIGNED, 24) : 0;
                InetAddress a = InetAddress.getByAddress(ip); // IPv4-mapped comes back as Inet4Address
                if (scope != 0 && !(a instanceof Inet4Address)) {
                    a = Inet6Address.getByAddress(null, ip, scope);
                }
                return new InetSocketAddress(a, port);
            }
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
        return null;
    }
}
