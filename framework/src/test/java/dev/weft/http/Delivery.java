package dev.weft.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ways a test hands raw bytes to the parsers: how the socket cuts them, how large
 * {@link HttpInput}'s buffer starts and how big the body reads are. Every parser test runs under
 * each of them, so a bug that depends on where a read ends shows up in at least one.
 */
enum Delivery {

    /** Everything in one read; bodies read 8 KiB at a time. */
    WHOLE(Integer.MAX_VALUE, HttpInput.INITIAL_BUFFER, 8192),
    /** One byte per socket read; bodies read with {@code read()}, byte by byte. */
    ONE_BYTE(1, HttpInput.INITIAL_BUFFER, 0),
    /** 1 to 3 bytes per read; bodies read 2 bytes at a time. */
    FRAGMENTS_UP_TO_3(3, HttpInput.INITIAL_BUFFER, 2),
    /** 1 to 17 bytes per read; bodies read 5 bytes at a time. */
    FRAGMENTS_UP_TO_17(17, HttpInput.INITIAL_BUFFER, 5),
    /** 1 to 5 bytes per read into a buffer that starts at one byte and has to grow. */
    TINY_BUFFER(5, 1, 3);

    private final int maxFragment;
    private final int initialBuffer;
    private final int bodyReadSize;

    Delivery(int maxFragment, int initialBuffer, int bodyReadSize) {
        this.maxFragment = maxFragment;
        this.initialBuffer = initialBuffer;
        this.bodyReadSize = bodyReadSize;
    }

    /** An input over {@code raw}, cut this way; the seed depends on the bytes so cases differ. */
    HttpInput open(byte[] raw) {
        return new HttpInput(stream(raw), initialBuffer);
    }

    HttpInput open(String raw) {
        return open(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    FragmentingInputStream stream(byte[] raw) {
        return new FragmentingInputStream(raw, maxFragment, 31L * ordinal() + Arrays.hashCode(raw));
    }

    int initialBuffer() {
        return initialBuffer;
    }

    /** The size of each body read, 0 for single-byte {@code read()} calls. */
    int bodyReadSize() {
        return bodyReadSize;
    }
}
