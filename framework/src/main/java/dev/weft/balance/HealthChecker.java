package dev.weft.balance;

import dev.weft.client.Endpoint;
import dev.weft.dns.Resolver;
import dev.weft.internal.BackgroundThreads;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Runs a group's {@link HealthCheck}: a virtual thread per server that probes it every interval, so
 * that a slow server delays no other's checks. Each server's first probe waits a random part of
 * the first interval (drawn once, when the checks start), so a group's servers are probed at
 * different moments rather than all in the same millisecond, and keep those phases. Servers
 * configured {@code down} are not probed.
 *
 * <p>A probe resolves the server's host name (bounded only by the {@link Resolver}: a
 * {@link dev.weft.dns.CachingResolver} has a lookup timeout) and probes every address it returns,
 * in order, each within the timeout (the first one's includes the lookup). The verdict is that of
 * the first address that accepts the TCP connection: that is the address
 * {@link Endpoint#connect} (the proxies' connect) would use, so a server is healthy exactly when
 * the connection a request would get is healthy. nginx resolves a {@code server} name once, at
 * start, into one peer per address, and its check module probes each; Weft keeps one server per
 * name and re-resolves, so it probes every address to report the others too (their failures go
 * into {@link UpstreamStatus#checkProblem()}, and count when no address accepts), but only the
 * one a connection would use decides. Moves servers out of service after {@code fall} failures in
 * a row and back after {@code rise} successes, and logs each move.
 */
final class HealthChecker implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HealthChecker.class.getName());
    private static final int MAX_STATUS_LINE = 1024;

    /** What one probe of a server found: {@code failure} null if healthy; {@code problem} null if every address was. */
    record Verdict(String failure, String problem) {
    }

    private record AddressProbe(boolean connected, String failure) {
    }

    private final String group;
    private final List<Peer> peers;
    private final long[] offsets;
    private final HealthCheck check;
    private final Resolver resolver;
    private final UpstreamMetrics metrics;
    private final LongSupplier clock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<Thread> threads = new ArrayList<>();
    private volatile long startedAt;

    HealthChecker(String group, List<Peer> peers, HealthCheck check, Resolver resolver, UpstreamMetrics metrics,
            LongSupplier clock, RandomGenerator random) {
        this.group = group;
        this.peers = peers.stream().filter(p -> !p.upstream.down()).toList();
        this.check = check;
        this.resolver = resolver;
        this.metrics = metrics;
        this.clock = clock;
        this.offsets = new long[this.peers.size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = random.nextLong(check.interval().toNanos());
        }
    }

    /** The servers probed, in the order of {@link #firstProbeOffsets()}. */
    List<Peer> peers() {
        return peers;
    }

    /** Nanoseconds from {@link #startedAt()} to each server's first probe. */
    long[] firstProbeOffsets() {
        return offsets.clone();
    }

    /** The {@link System#nanoTime()} at which the checks started. */
    long startedAt() {
        return startedAt;
    }

    void start() {
        startedAt = System.nanoTime();
        for (int i = 0; i < peers.size(); i++) {
            Peer peer = peers.get(i);
            long first = startedAt + offsets[i];
            threads.add(BackgroundThreads.builder().name("weft-health-" + group + "-" + peer.upstream)
                    .start(() -> loop(peer, first)));
        }
    }

    @Override
    public void close() {
        stopped.countDown();
        threads.forEach(Thread::interrupt);
    }

    private void loop(Peer peer, long first) {
        long interval = check.interval().toNanos();
        long next = first;
        try {
            while (!stopped.await(Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                Verdict verdict = probe(peer.upstream.endpoint());
                if (stopped.getCount() == 0) {
                    return;
                }
                peer.checkProblem = verdict.problem();
                record(peer, verdict.failure());
                next += interval;
                if (next - System.nanoTime() < 0) { // the probe took longer than the interval: probe again now
                    next = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Counts one probe's outcome (null: healthy, else why not) and moves the server if it is time. */
    void record(Peer peer, String failure) {
        if (failure == null) {
            peer.badInARow = 0;
            if (!peer.checkedUp && ++peer.goodInARow >= check.rise()) {
                peer.goodInARow = 0;
                peer.checked(true, clock.getAsLong());
                LOG.log(Level.INFO, "upstream " + peer.upstream + " of " + group + " is back in service after "
                        + check.rise() + " good health checks");
            }
            return;
        }
        metrics.checkFailed(peer);
        peer.goodInARow = 0;
        if (peer.checkedUp && ++peer.badInARow >= check.fall()) {
            peer.badInARow = 0;
            peer.checked(false, clock.getAsLong());
            LOG.log(Level.WARNING, "upstream " + peer.upstream + " of " + group + " is out of service after "
                    + check.fall() + " failed health checks, the last: " + failure);
        }
    }

    /** Probes every address of {@code endpoint}; the first that accepts a connection decides. */
    Verdict probe(Endpoint endpoint) {
        long start = System.nanoTime();
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(endpoint.host());
        } catch (IOException | RuntimeException e) {
            return new Verdict(describe(e), describe(e));
        }
        if (addresses.isEmpty()) {
            String failure = "no address for " + endpoint.host();
            return new Verdict(failure, failure);
        }
        List<String> failures = new ArrayList<>();
        boolean decided = false;
        String failure = null;
        for (int i = 0; i < addresses.size() && stopped.getCount() > 0; i++) {
            InetAddress address = addresses.get(i);
            AddressProbe p = probe(address, endpoint, (i == 0 ? start : System.nanoTime()) + check.timeout().toNanos());
            if (p.failure() != null) {
                failures.add(addresses.size() == 1 ? p.failure() : address.getHostAddress() + ": " + p.failure());
            }
            if (!decided && p.connected()) {
                decided = true;
                failure = p.failure();
            }
        }
        String problem = failures.isEmpty() ? null : String.join("; ", failures);
        if (!decided) {
            failure = failures.size() == 1 ? failures.get(0) : "no address accepted: " + problem;
        }
        return new Verdict(failure, problem);
    }

    private AddressProbe probe(InetAddress address, Endpoint endpoint, long deadline) {
        boolean connected = false;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, endpoint.port()), millisLeft(deadline));
            connected = true;
            return new AddressProbe(true, check.isHttp() ? httpStatus(socket, endpoint, deadline) : null);
        } catch (SocketTimeoutException e) {
            return new AddressProbe(connected, "timed out");
        } catch (IOException | RuntimeException e) {
            return new AddressProbe(connected, describe(e));
        }
    }

    private String httpStatus(Socket socket, Endpoint endpoint, long deadline) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(check.request(endpoint.toString()));
        out.flush();
        InputStream in = new BufferedInputStream(socket.getInputStream(), 256);
        StringBuilder line = new StringBuilder();
        for (;;) {
            socket.setSoTimeout(millisLeft(deadline));
            int b = in.read();
            if (b < 0) {
                return "closed before a status line";
            }
            if (b == '\n') {
                break;
            }
            if (line.length() == MAX_STATUS_LINE) {
                return "status line longer than " + MAX_STATUS_LINE + " bytes";
            }
            line.append((char) b);
        }
        String status = line.toString().strip();
        if (!status.matches("HTTP/1\\.[01] \\d{3}( .*)?")) {
            return "not an HTTP status line: " + status;
        }
        int code = Integer.parseInt(status.substring(9, 12));
        return check.expectedStatus().contains(code / 100) ? null : "status " + code;
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static int millisLeft(long deadline) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("health check timed out");
        }
        return (int) Math.min(left, Integer.MAX_VALUE);
    }
}
