package dev.weft.http;

import java.io.InputStream;
import java.util.Objects;
import java.util.Random;

/**
 * A stream over fixed bytes that hands out between 1 and {@code maxFragment} bytes per
 * {@code read}, chosen by a seeded {@link Random}, the way a socket delivers a request in pieces.
 * Lines then straddle {@link HttpInput}'s refills at places nobody chose. With {@code maxFragment}
 * 1 every read returns exactly one byte.
 */
final class FragmentingInputStream extends InputStream {

    private final byte[] data;
    private final int maxFragment;
    private final Random random;
    private int pos;
    private int reads;

    FragmentingInputStream(byte[] data, int maxFragment, long seed) {
        if (maxFragment < 1) {
            throw new IllegalArgumentException("maxFragment must be at least 1");
        }
        this.data = data.clone();
        this.maxFragment = maxFragment;
        this.random = new Random(seed);
    }

    static FragmentingInputStream oneBytePerRead(byte[] data) {
        return new FragmentingInputStream(data, 1, 0);
    }

    @Override
    public int read() {
        if (pos == data.length) {
            return -1;
        }
        reads++;
        return data[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (pos == data.length) {
            return -1;
        }
        int fragment = maxFragment == 1 ? 1 : 1 + random.nextInt(maxFragment);
        int n = Math.min(Math.min(len, fragment), data.length - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        reads++;
        return n;
    }

    /** How many bytes have been handed out. */
    int position() {
        return pos;
    }

    /** How many reads returned data. */
    int reads() {
        return reads;
    }
}
