package dev.weft.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The one address the benchmarks bind to and target: 127.0.0.1 exactly (only loopback may be a
 * target, and {@code localhost} may resolve to {@code ::1} first).
 */
public final class Loopback {

    private static final InetAddress ADDRESS;

    static {
        try {
            ADDRESS = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e); // cannot happen: four bytes are a valid address
        }
    }

    private Loopback() {
    }

    /** 127.0.0.1. */
    public static InetAddress address() {
        return ADDRESS;
    }
}
