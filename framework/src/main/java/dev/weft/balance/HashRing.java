package dev.weft.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The ring of {@link Strategy#CONSISTENT_HASH} (ketama, as nginx's {@code hash ... consistent}
 * builds it): {@value #POINTS_PER_WEIGHT} points per unit of a server's weight. A server's points
 * are a chain of CRC32 values: the first is the CRC32 of its host, a zero byte, its port and four
 * zero bytes; each next one replaces those four bytes with the previous point (little-endian). The
 * host and port are the two sides of the last {@code :} of {@code host:port} (IPv6 hosts keep their
 * brackets), as nginx splits its {@code server} line, so a group lists the same points as nginx
 * would for the same servers and a key lands on the same server. Two points of equal value keep
 * the one of the server listed first. Immutable; built once per group.
 */
final class HashRing {

    static final int POINTS_PER_WEIGHT = 160;

    /** Point values with the sign bit flipped, so that signed order is the unsigned order; ascending. */
    private final int[] points;
    /** The index (in the tier) of each point's server. */
    private final int[] owners;

    private HashRing(int[] points, int[] owners) {
        this.points = points;
        this.owners = owners;
    }

    /** The ring of {@code tier}'s servers, down or not (a down server's points are skipped, not removed). */
    static HashRing of(List<Peer> tier) {
        int total = 0;
        for (Peer peer : tier) {
            total += peer.weight * POINTS_PER_WEIGHT;
        }
        long[] packed = new long[total];
        int n = 0;
        byte[] prev = new byte[4];
        for (int owner = 0; owner < tier.size(); owner++) {
            String name = tier.get(owner).upstream.endpoint().toString();
            int colon = name.lastIndexOf(':');
            byte[] host = name.substring(0, colon).getBytes(StandardCharsets.UTF_8);
            byte[] port = name.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
            Arrays.fill(prev, (byte) 0);
            CRC32 crc = new CRC32();
            for (int j = tier.get(owner).weight * POINTS_PER_WEIGHT; j > 0; j--) {
                crc.reset();
                crc.update(host);
                crc.update(0);
                crc.update(port);
                crc.update(prev);
                int value = (int) crc.getValue();
                for (int b = 0; b < 4; b++) {
                    prev[b] = (byte) (value >>> (8 * b));
                }
                packed[n++] = ((long) (value ^ Integer.MIN_VALUE) << 32) | owner;
            }
        }
        Arrays.sort(packed); // by value, then by server order
        int[] points = new int[total];
        int[] owners = new int[total];
        int kept = 0;
        for (long p : packed) {
            int value = (int) (p >> 32);
            if (kept > 0 && points[kept - 1] == value) {
                continue;
            }
            points[kept] = value;
            owners[kept] = (int) p;
            kept++;
        }
        return new HashRing(Arrays.copyOf(points, kept), Arrays.copyOf(owners, kept));
    }

    /** The CRC32 of {@code key} (UTF-8), nginx's hash of the key for the ring. */
    static int keyHash(String key) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    int size() {
        return points.length;
    }

    /** The index of the first point at or after {@code hash} (unsigned), wrapping to 0 past the last. */
    int first(int hash) {
        int i = Arrays.binarySearch(points, hash ^ Integer.MIN_VALUE);
        if (i < 0) {
            i = -i - 1;
        }
        return i == points.length ? 0 : i;
    }

    /** The tier index of the server owning point {@code index} (taken modulo the ring's size). */
    int owner(int index) {
        return owners[index % owners.length];
    }
}
