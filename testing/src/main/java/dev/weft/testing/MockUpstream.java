package dev.weft.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A scriptable, misbehaving HTTP/1.1 (and raw TCP) server for tests of clients, pools and proxies:
 * it answers each request with the next {@link Answer} queued (or the default one), and records
 * what it received.
 *
 * <pre>{@code
 * try (MockUpstream upstream = MockUpstream.start()) {
 *     upstream.enqueue(Answer.ok("hello"), Answer.ok("hello").declaredLength(100).thenClose());
 *     // ... send two requests with the client under test to upstream.uri("/path") ...
 *     RecordedRequest first = upstream.takeRequest();
 *     assertEquals("GET /path HTTP/1.1", first.requestLine());
 *     assertEquals(1, upstream.takeRequest().requestIndex());   // the second request reused the connection
 * }
 * }</pre>
 *
 * <p>It listens on {@code 127.0.0.1}, on a port the kernel picks ({@link #port()}), and serves
 * each accepted connection on its own virtual thread: read a request head, take the next answer,
 * read the body (decoding {@code Content-Length} or chunked framing), record the request, play
 * the answer, and again while the answer keeps the connection alive. {@link #refuse()} stops
 * accepting, so that connects are refused. {@link #close()} closes the listening socket and every
 * connection (ending stalls and pauses) and waits for their threads.
 *
 * <p>Thread-safe: a test may enqueue answers and take requests while connections are served.
 * Bounds: request heads up to 1 MiB, recorded bodies up to {@link #maxRecordedBody(long)} bytes
 * (16 MiB by default; beyond it bytes are counted, not kept). Requests the client sent are kept
 * until taken.
 */
public final class MockUpstream implements AutoCloseable {

    /** The default largest body kept per request: 16 MiB. */
    public static final long DEFAULT_MAX_RECORDED_BODY = 16L * 1024 * 1024;

    /** How long {@link #takeRequest()} waits: 10 seconds. */
    public static final Duration DEFAULT_TAKE_TIMEOUT = Duration.ofSeconds(10);

    /** How long {@link #close()} waits for each connection's thread to end. */
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private static final System.Logger LOG = System.getLogger(MockUpstream.class.getName());

    private final ServerSocket listener;
    private final InetSocketAddress address;
    private final Thread acceptor;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Answer.Plan> answers = new ArrayDeque<>(); // guarded by lock
    private Answer.Plan defaultAnswer; // guarded by lock
    private final LinkedBlockingQueue<RecordedRequest> recorded = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long maxRecordedBody = DEFAULT_MAX_RECORDED_BODY;

    private MockUpstream() throws IOException {
        defaultAnswer = Answer.status(404).body("MockUpstream: no answer was queued for this request\n").plan();
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}), 0), 128);
        address = (InetSocketAddress) listener.getLocalSocketAddress();
        acceptor = Thread.ofVirtual().name("mock-upstream-" + address.getPort() + "-accept").start(this::acceptLoop);
    }

    /**
     * Binds {@code 127.0.0.1} on a free port and starts accepting. Until answers are queued every
     * request gets {@code 404} (see {@link #defaultAnswer(Answer)}).
     */
    public static MockUpstream start() throws IOException {
        return new MockUpstream();
    }

    /** The port it listens on. */
    public int port() {
        return address.getPort();
    }

    /** {@code 127.0.0.1} and {@link #port()}. */
    public InetSocketAddress address() {
        return address;
    }

    /** {@code http://127.0.0.1:<port>/}. */
    public URI uri() {
        return uri("/");
    }

    /** {@code http://127.0.0.1:<port>} followed by {@code pathAndQuery} (which starts with {@code /}). */
    public URI uri(String pathAndQuery) {
        if (!pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("a path starts with /, was " + pathAndQuery);
        }
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    /** Queues answers, one per request, in order (checked now: a contradictory answer fails here). */
    public MockUpstream enqueue(Answer... next) {
        Answer.Plan[] plans = new Answer.Plan[next.length];
        for (int i = 0; i < next.length; i++) {
            plans[i] = Objects.requireNonNull(next[i], "answer").plan();
        }
        lock.lock();
        try {
            for (Answer.Plan plan : plans) {
                answers.add(plan);
            }
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** The answer to every request that finds the queue empty (at first: {@code 404}). */
    public MockUpstream defaultAnswer(Answer answer) {
        Answer.Plan plan = answer.plan();
        lock.lock();
        try {
            defaultAnswer = plan;
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** At most this many body bytes are kept per recorded request; the rest are counted. */
    public MockUpstream maxRecordedBody(long bytes) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxRecordedBody must be in [0, 2 GiB), was " + bytes);
        }
        maxRecordedBody = bytes;
        return this;
    }

    /** The next request received, waiting up to {@link #DEFAULT_TAKE_TIMEOUT} for it. */
    public RecordedRequest takeRequest() throws InterruptedException {
        return takeRequest(DEFAULT_TAKE_TIMEOUT);
    }

    /**
     * The next request received (in the order their bodies were read), waiting up to {@code timeout}.
     *
     * @throws AssertionError if none arrived in time
     */
    public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
        RecordedRequest r = recorded.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (r == null) {
            throw new AssertionError("no request arrived at " + this + " within " + timeout);
        }
        return r;
    }

    /** Connections accepted so far. */
    public int connectionCount() {
        return connections.get();
    }

    /** Request heads received so far (taken or not). */
    public int requestCount() {
        return requests.get();
    }

    /** Connections open now (accepted, and neither closed by the client nor by an answer). */
    public int openConnections() {
        return open.size();
    }

    /**
     * Closes the listening socket: from now on a connect to {@link #port()} is refused
     * ({@code ECONNREFUSED}). Open connections go on being served. Not undone.
     */
    public void refuse() {
        try {
            listener.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops accepting, closes every connection (ending stalls) and waits for their threads. Idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        closing.countDown();
        closeQuietly(listener);
        for (Socket s : open) {
            closeQuietly(s);
        }
        join(acceptor);
        for (Thread t : threads) {
            join(t);
        }
    }

    private void acceptLoop() {
        while (true) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return; // refuse() or close()
            }
            int index = connections.getAndIncrement();
            open.add(s); // before the check below, so that close() either sees it or is seen
            if (closing.getCount() == 0) {
                closeQuietly(s);
                open.remove(s);
                return;
            }
            Thread t = Thread.ofVirtual().name("mock-upstream-" + port() + "-conn-" + index)
                    .unstarted(() -> serve(s, index));
            threads.add(t);
            t.start();
        }
    }

    private void serve(Socket socket, int connection) {
        InetSocketAddress peer = (InetSocketAddress) socket.getRemoteSocketAddress();
        try (socket) {
            socket.setTcpNoDelay(true); // trickled writes go out as written
            RequestReader reader = new RequestReader(new BufferedInputStream(socket.getInputStream()));
            Answer.Plan first = takeOnAccept();
            if (first != null && !Playback.play(first, socket, reader.in(), closing)) {
                return;
            }
            for (int index = 0; ; index++) {
                RequestReader.Head head = reader.readHead();
                if (head == null) {
                    return;
                }
                requests.incrementAndGet();
                Answer.Plan plan = takeForRequest();
                RequestReader.Body body = plan.beforeBody() ? RequestReader.Body.NONE : reader.readBody(head, maxRecordedBody);
                recorded.add(new RecordedRequest(head.method(), head.target(), head.version(), head.fields(),
                        body.bytes(), body.size(), body.complete() && !(plan.beforeBody() && announcesBody(head)),
                        connection, index, peer));
                if (!body.complete() || !Playback.play(plan, socket, reader.in(), closing)) {
                    return;
                }
                if (plan.beforeBody() && !reader.readBody(head, 0).complete()) {
                    return;
                }
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "{0} connection {1} from {2} ended: {3}", this, connection, peer, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "MockUpstream connection " + connection + " failed", e);
        } finally {
            open.remove(socket);
            threads.remove(Thread.currentThread());
        }
    }

    private static boolean announcesBody(RequestReader.Head head) {
        for (RecordedRequest.Field f : head.fields()) {
            if (f.name().equalsIgnoreCase("Transfer-Encoding")
                    || (f.name().equalsIgnoreCase("Content-Length") && !f.value().strip().equals("0"))) {
                return true;
            }
        }
        return false;
    }

    /** The first queued answer if it is an on-accept one, else the default if it is one, else null. */
    private Answer.Plan takeOnAccept() {
        lock.lock();
        try {
            Answer.Plan next = answers.peek();
            if (next != null) {
                return next.onAccept() ? answers.poll() : null;
            }
            return defaultAnswer.onAccept() ? defaultAnswer : null;
        } finally {
            lock.unlock();
        }
    }

    private Answer.Plan takeForRequest() {
        lock.lock();
        try {
            Answer.Plan next = answers.poll();
            return next != null ? next : defaultAnswer;
        } finally {
            lock.unlock();
        }
    }

    private static void join(Thread t) {
        try {
            if (!t.join(JOIN_TIMEOUT)) {
                LOG.log(Level.WARNING, "{0} did not end within {1} of close()", t, JOIN_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "MockUpstream 127.0.0.1:" + port() + " (" + connections.get() + " connections, " + requests.get() + " requests)";
    }
}
