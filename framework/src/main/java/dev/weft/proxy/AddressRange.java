package dev.weft.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;

/**
 * A block of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fc00::/7}, or one address):
 * what the forward proxy's access rules are made of. An IPv4 range also holds the IPv4-mapped IPv6
 * forms of its addresses ({@code ::ffff:10.0.0.1}), so a mapped literal cannot slip past a rule.
 *
 * @param network the first address, with the bits past the prefix cleared
 * @param prefix  how many leading bits must match
 */
public record AddressRange(InetAddress network, int prefix) {

    /** Where a forward proxy must not connect unless allowed: its own host and the networks around it. */
    public static final List<AddressRange> NOT_PUBLIC = List.of(
            parse("0.0.0.0/8"), parse("10.0.0.0/8"), parse("100.64.0.0/10"), parse("127.0.0.0/8"),
            parse("169.254.0.0/16"), parse("172.16.0.0/12"), parse("192.0.0.0/24"), parse("192.168.0.0/16"),
            parse("198.18.0.0/15"), parse("224.0.0.0/4"), parse("240.0.0.0/4"),
            parse("::/128"), parse("::1/128"), parse("fc00::/7"), parse("fe80::/10"), parse("ff00::/8"),
            parse("64:ff9b::/96"), parse("2002::/16"));

    public AddressRange {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix must be 0.." + bits + ", was " + prefix);
        }
        network = mask(network, prefix);
    }

    /**
     * Parses {@code address/prefix} or a lone address (all of its bits), address literals only:
     * never a name lookup.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static AddressRange parse(String cidr) {
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? cidr : cidr.substring(0, slash);
        if (address.isEmpty() || !address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            throw new IllegalArgumentException("not an address range: " + cidr);
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(address); // a literal, checked above
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address range: " + cidr, e);
        }
        int bits = a.getAddress().length * 8;
        try {
            int prefix = slash < 0 ? bits : Integer.parseInt(cidr.substring(slash + 1));
            return new AddressRange(a, prefix);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an address range: " + cidr, e);
        }
    }

    /** Whether {@code address} is in this range (an IPv4-mapped IPv6 address as its IPv4 one). */
    public boolean contains(InetAddress address) {
        InetAddress a = unmapped(address);
        return a.getAddress().length == network.getAddress().length && mask(a, prefix).equals(network);
    }

    /** Whether any of {@code ranges} holds {@code address}. */
    static boolean any(List<AddressRange> ranges, InetAddress address) {
        for (AddressRange r : ranges) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) as the IPv4 one; others as they are. */
    static InetAddress unmapped(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return a;
                }
            }
            if (b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException impossible) {
                    throw new IllegalStateException(impossible);
                }
            }
        }
        return a;
    }

    private static InetAddress mask(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefix;
    }
}
