package dev.weft.bench.load;

/**
 * Fills message payloads that differ for every connection and message, so a reply that belongs to
 * another connection, or to an earlier message on the same one, never compares equal.
 *
 * <p>Layout: the connection index (4 bytes, big-endian), then the message number (8 bytes), then
 * bytes from a hash of both; payloads shorter than 12 bytes hold only the hash bytes, which still
 * differ between neighbours with high probability. Thread-safe (no state).
 */
final class Payloads {

    private static final int HEADER = Integer.BYTES + Long.BYTES;

    private Payloads() {
    }

    /** Writes the payload of message {@code seq} on connection {@code conn} into all of {@code buf}. */
    static void fill(byte[] buf, int conn, long seq) {
        long state = conn * 0x9E3779B97F4A7C15L ^ seq * 0xC2B2AE3D27D4EB4FL;
        for (int i = 0; i < buf.length; i += Long.BYTES) {
            state += 0x9E3779B97F4A7C15L;
            long h = mix(state);
            for (int j = 0; j < Long.BYTES && i + j < buf.length; j++) {
                buf[i + j] = (byte) (h >>> (8 * j));
            }
        }
        if (buf.length >= HEADER) {
            putLong(buf, 0, conn, Integer.BYTES);
            putLong(buf, Integer.BYTES, seq, Long.BYTES);
        }
    }

    /** The SplitMix64 finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void putLong(byte[] buf, int off, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            buf[off + i] = (byte) (value >>> (8 * (bytes - 1 - i)));
        }
    }
}
