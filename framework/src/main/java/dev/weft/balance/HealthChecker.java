package dev.weft.balance;

import dev.weft.client.Endpoint;
import dev.weft.dns.Resolver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a group's {@link HealthCheck}: a virtual thread per server that probes it every interval, so
 * that a slow server delays no other's checks. The timeout covers resolving the host name,
 * connecting and, for HTTP, the status line; a lookup itself is bounded only by the {@link Resolver}
 * (a {@link dev.weft.dns.CachingResolver} has a lookup timeout), and a probe tries the first address
 * it returns, the one a connect tries first. Moves servers out of service after {@code fall} failures in a
 * row and back after {@code rise} successes, and logs each move.
 */
final class HealthChecker implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HealthChecker.class.getName());
    private static final int MAX_STATUS_LINE = 1024;

    private final String group;
    private final List<Peer> peers;
    private final HealthCheck check;
    private final Resolver resolver;
    private final UpstreamMetrics metrics;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<Thread> threads = new ArrayList<>();

    HealthChecker(String group, List<Peer> peers, HealthCheck check, Resolver resolver, UpstreamMetrics metrics) {
        this.group = group;
        this.peers = peers;
        this.check = check;
        this.resolver = resolver;
        this.metrics = metrics;
    }

    void start() {
        for (Peer peer : peers) {
            threads.add(Thread.ofVirtual().name("weft-health-" + group + "-" + peer.upstream).start(() -> loop(peer)));
        }
    }

    @Override
    public void close() {
        stopped.countDown();
        threads.forEach(Thread::interrupt);
    }

    private void loop(Peer peer) {
        long interval = check.interval().toNanos();
        long next = System.nanoTime();
        try {
            while (stopped.getCount() > 0) {
                String failure = probe(peer.upstream.endpoint());
                if (stopped.getCount() == 0) {
                    return;
                }
                record(peer, failure);
                next += interval;
                long wait = next - System.nanoTime();
                if (wait < 0) { // the probe took longer than the interval: probe again now
                    next = System.nanoTime();
                    wait = 0;
                }
                if (stopped.await(wait, TimeUnit.NANOSECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Counts one probe's outcome (null: healthy, else why not) and moves the server if it is time. */
    void record(Peer peer, String failure) {
        if (failure == null) {
            peer.checkFailures = 0;
            if (!peer.checkedUp && ++peer.checkSuccesses >= check.rise()) {
                peer.checkSuccesses = 0;
                peer.checkedUp = true;
                LOG.log(Level.INFO, "upstream " + peer.upstream + " of " + group + " is back in service after "
                        + check.rise() + " good health checks");
            }
            return;
        }
        metrics.checkFailed(peer);
        peer.checkSuccesses = 0;
        if (peer.checkedUp && ++peer.checkFailures >= check.fall()) {
            peer.checkFailures = 0;
            peer.checkedUp = false;
            LOG.log(Level.WARNING, "upstream " + peer.upstream + " of " + group + " is out of service after "
                    + check.fall() + " failed health checks, the last: " + failure);
        }
    }

    /** Null if the server is healthy, else what went wrong. */
    private String probe(Endpoint endpoint) {
        long deadline = System.nanoTime() + check.timeout().toNanos();
        try (Socket socket = new Socket()) {
            List<InetAddress> addresses = resolver.resolve(endpoint.host());
            if (addresses.isEmpty()) {
                return "no address for " + endpoint.host();
            }
            socket.connect(new InetSocketAddress(addresses.get(0), endpoint.port()), millisLeft(deadline));
            return check.httpPath() == null ? null : httpStatus(socket, endpoint, deadline);
        } catch (SocketTimeoutException e) {
            return "timed out";
        } catch (IOException | RuntimeException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    private String httpStatus(Socket socket, Endpoint endpoint, long deadline) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + check.httpPath() + " HTTP/1.1\r\nHost: " + endpoint + "\r\nUser-Agent: weft-health-check"
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
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
        return code >= 200 && code < 400 ? null : "status " + code;
    }

    private static int millisLeft(long deadline) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("health check timed out");
        }
        return (int) Math.min(left, Integer.MAX_VALUE);
    }
}
