package dev.weft.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test which leaves file descriptors (sockets above all) or
 * platform threads behind:
 *
 * <pre>{@code
 * @ExtendWith(LeakCheck.class)
 * class MyClientTest { ... }
 *
 * // or, to change the settings:
 * @RegisterExtension
 * static final LeakCheck LEAKS = new LeakCheck().withTimeout(Duration.ofSeconds(10)).ignoringThreads("my-pool-.*");
 * }</pre>
 *
 * <p>Before each test (after the class's {@code @BeforeAll}, before its {@code @BeforeEach}) it
 * takes a {@link Snapshot}: the open descriptors of the process and what each points to (the
 * entries of {@code /proc/self/fd}), and the live platform threads. After the test and its
 * {@code @AfterEach} methods it waits, polling, up to {@link #withTimeout the timeout} (5 s by
 * default) for both to come back to that baseline, and otherwise fails naming each leftover: the
 * descriptor and its target, for a socket with its TCP connection ({@code fd 57 -> socket:[1234]
 * (tcp 127.0.0.1:40312 -> 127.0.0.1:8080 CLOSE_WAIT)}), and each thread with its state and top frames.
 *
 * <p><b>What is not counted.</b> Virtual threads: the JDK cannot list them cheaply; a virtual
 * thread stuck with a socket shows as that socket's descriptor. Threads and files the JVM opens
 * lazily and keeps: compiler, GC, cleaner and reference threads, the virtual-thread scheduler's
 * carriers and pollers, the common pool's workers (see {@link #DEFAULT_IGNORED_THREADS}); jar
 * files opened by class loading, {@code /dev/urandom} ({@link #DEFAULT_IGNORED_FILES}). Add your own
 * patterns with {@link #ignoringThreads} and {@link #ignoringFiles}. The first snapshot in a JVM is
 * preceded by a warm-up (a loopback connection served by a virtual thread), so that the socket
 * machinery the JDK sets up once is part of every baseline.
 *
 * <p>Descriptors are read from {@code /proc/self/fd}, so they are checked on Linux only; elsewhere
 * the descriptor check is skipped, said once in the log and in each test's report entries, and
 * threads are still checked. A descriptor number reused for a different target counts as a leak
 * of the new one. Descriptors and threads belong to the whole JVM, so tests that run in parallel
 * in one JVM would see each other's: use it where tests run one at a time (the default).
 * Immutable and thread-safe; the extension keeps each test's snapshot in its
 * {@link ExtensionContext.Store}.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {

    /** How long {@link #afterEach} waits for the baseline: 5 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Names (regular expressions, whole name) of platform threads the JVM or JUnit start and keep. */
    public static final List<String> DEFAULT_IGNORED_THREADS = List.of(
            "C[12] CompilerThread\\d+", "Common-Cleaner", "Reference Handler", "Finalizer", "Signal Dispatcher",
            "Attach Listener", "Notification Thread", "Service Thread", "Monitor Deflation Thread",
            "Sweeper thread", "process reaper", "ForkJoinPool\\.commonPool-worker-\\d+",
            "ForkJoinPool-\\d+-delayScheduler", "Read-Poller", "Write-Poller", "MasterPoller", "SubPoller-\\d+",
            "VirtualThread-unparker", "VirtualThread-unblocker", "junit-jupiter-timeout-watcher",
            "surefire-forkedjvm-.*", "JFR .*");

    /** Descriptor targets (regular expressions, whole target) the JVM opens lazily and keeps. */
    public static final List<String> DEFAULT_IGNORED_FILES = List.of(
            ".*\\.jar", ".*\\.jmod", Pattern.quote(System.getProperty("java.home")) + "/.*", "/dev/u?random");

    private static final System.Logger LOG = System.getLogger(LeakCheck.class.getName());
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakCheck.class);
    private static final String CARRIER_THREAD = "jdk.internal.misc.CarrierThread";
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final int MAX_FRAMES = 6;
    private static final ReentrantLock WARM_UP_LOCK = new ReentrantLock();
    private static final AtomicBoolean WARMED_UP = new AtomicBoolean();
    private static final AtomicBoolean SAID_NO_FDS = new AtomicBoolean();

    /**
     * What was open at one moment.
     *
     * @param openFiles        descriptor number to target ({@code socket:[1234]}, a path), empty if not checked
     * @param openFilesChecked whether descriptors could be listed (Linux)
     * @param threads          id to name of each live platform thread
     */
    public record Snapshot(Map<Integer, String> openFiles, boolean openFilesChecked, Map<Long, String> threads) {
        public Snapshot {
            openFiles = Map.copyOf(openFiles);
            threads = Map.copyOf(threads);
        }
    }

    private final Duration timeout;
    private final List<Pattern> ignoredThreads;
    private final List<Pattern> ignoredFiles;

    /** The defaults: a 5 s wait, the default ignore lists. */
    public LeakCheck() {
        this(DEFAULT_TIMEOUT, compile(DEFAULT_IGNORED_THREADS), compile(DEFAULT_IGNORED_FILES));
    }

    private LeakCheck(Duration timeout, List<Pattern> ignoredThreads, List<Pattern> ignoredFiles) {
        this.timeout = timeout;
        this.ignoredThreads = List.copyOf(ignoredThreads);
        this.ignoredFiles = List.copyOf(ignoredFiles);
    }

    /** A copy that waits up to {@code value} for the baseline after each test. */
    public LeakCheck withTimeout(Duration value) {
        Objects.requireNonNull(value, "timeout");
        if (value.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + value);
        }
        return new LeakCheck(value, ignoredThreads, ignoredFiles);
    }

    /** A copy that also ignores platform threads whose whole name matches one of {@code regexes}. */
    public LeakCheck ignoringThreads(String... regexes) {
        List<Pattern> all = new ArrayList<>(ignoredThreads);
        all.addAll(compile(Arrays.asList(regexes)));
        return new LeakCheck(timeout, all, ignoredFiles);
    }

    /** A copy that also ignores descriptors whose whole target matches one of {@code regexes}. */
    public LeakCheck ignoringFiles(String... regexes) {
        List<Pattern> all = new ArrayList<>(ignoredFiles);
        all.addAll(compile(Arrays.asList(regexes)));
        return new LeakCheck(timeout, ignoredThreads, all);
    }

    /** How long it waits for the baseline. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Snapshot before = snapshot();
        if (!before.openFilesChecked()) {
            context.publishReportEntry("LeakCheck", "open files not checked: /proc/self/fd cannot be read here "
                    + "(Linux only); platform threads are checked");
        }
        context.getStore(NAMESPACE).put(context.getUniqueId(), before);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Snapshot before = context.getStore(NAMESPACE).remove(context.getUniqueId(), Snapshot.class);
        if (before != null) {
            assertNoLeaksSince(before, context.getDisplayName());
        }
    }

    /** What is open now (the first call in a JVM warms the JDK's socket machinery up first). */
    public Snapshot snapshot() {
        warmUp();
        boolean checked = OpenFiles.available();
        if (!checked && !SAID_NO_FDS.getAndSet(true)) {
            LOG.log(Level.INFO, "LeakCheck: /proc/self/fd cannot be read here (Linux only): open files are not checked");
        }
        Map<Long, String> threads = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            threads.put(t.threadId(), t.getName());
        }
        return new Snapshot(checked ? OpenFiles.list() : Map.of(), checked, threads);
    }

    /**
     * What is open now and was not in {@code before}, ignored patterns left out, one line each
     * ({@code open file: fd 57 -> socket:[1234] (tcp ...)}, {@code thread "name" (RUNNABLE) at ...});
     * empty if nothing leaked. Does not wait.
     */
    public List<String> leaksSince(Snapshot before) {
        List<String> leaks = new ArrayList<>();
        if (before.openFilesChecked()) {
            Map<Long, String> sockets = null;
            for (Map.Entry<Integer, String> fd : OpenFiles.list().entrySet()) {
                String target = fd.getValue();
                if (!target.equals(before.openFiles().get(fd.getKey())) && !matches(ignoredFiles, target)) {
                    sockets = sockets != null ? sockets : OpenFiles.sockets();
                    leaks.add("open file: fd " + fd.getKey() + " -> " + OpenFiles.describe(target, sockets));
                }
            }
        }
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            Thread t = e.getKey();
            if (t.isAlive() && !before.threads().containsKey(t.threadId()) && !ignored(t)) {
                leaks.add("thread \"" + t.getName() + "\" (" + (t.isDaemon() ? "daemon, " : "") + t.getState() + ")"
                        + frames(e.getValue()));
            }
        }
        return leaks;
    }

    /**
     * Polls {@link #leaksSince} until it is empty or {@link #timeout()} has passed.
     *
     * @return the leaks still there at the end, empty if everything came back to the baseline
     */
    public List<String> awaitNoLeaksSince(Snapshot before) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> leaks = leaksSince(before);
            if (leaks.isEmpty() || System.nanoTime() - deadline >= 0) {
                return leaks;
            }
            try {
                Thread.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return leaksSince(before);
            }
        }
    }

    /**
     * {@link #awaitNoLeaksSince}, failing with an {@link AssertionError} that lists the leaks.
     *
     * @param what names the test or step in the message
     */
    public void assertNoLeaksSince(Snapshot before, String what) {
        List<String> leaks = awaitNoLeaksSince(before);
        if (!leaks.isEmpty()) {
            throw new AssertionError("LeakCheck: " + what + " left " + leaks.size() + (leaks.size() == 1 ? " thing" : " things")
                    + " open " + timeout.toMillis() + " ms after it ended:\n  " + String.join("\n  ", leaks));
        }
    }

    private boolean ignored(Thread t) {
        return t.getClass().getName().equals(CARRIER_THREAD) || matches(ignoredThreads, t.getName());
    }

    private static boolean matches(List<Pattern> patterns, String s) {
        for (Pattern p : patterns) {
            if (p.matcher(s).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The top frames, down to the first one outside the JDK (where the thread was made to wait), at most 6. */
    private static String frames(StackTraceElement[] stack) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < stack.length && i < MAX_FRAMES; i++) {
            shown.append(i == 0 ? " at " : " < ").append(stack[i]);
            String c = stack[i].getClassName();
            if (!(c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun."))) {
                return shown.toString();
            }
        }
        return stack.length > MAX_FRAMES ? shown + " < ..." : shown.toString();
    }

    private static List<Pattern> compile(List<String> regexes) {
        return regexes.stream().map(Pattern::compile).toList();
    }

    /**
     * Makes the JDK set up, once, what it keeps for the life of the JVM once sockets are used:
     * the descriptor it closes sockets onto, the virtual-thread pollers (epoll descriptors,
     * poller threads) and the timer thread of timed parks. A virtual thread accepts a loopback
     * connection and blocks reading it until this thread sees it parked and writes a byte.
     */
    private static void warmUp() {
        if (WARMED_UP.get()) {
            return;
        }
        WARM_UP_LOCK.lock();
        try {
            if (WARMED_UP.get()) {
                return;
            }
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    Socket client = new Socket()) {
                Thread reader = Thread.ofVirtual().name("leak-check-warm-up").start(() -> {
                    try {
                        Thread.sleep(1);
                        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                            in.read();
                        }
                    } catch (IOException | InterruptedException e) {
                        LOG.log(Level.DEBUG, "LeakCheck warm-up: {0}", e.toString());
                    }
                });
                client.connect(server.getLocalSocketAddress(), 2000);
                long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (reader.getState() != Thread.State.WAITING && reader.isAlive() && System.nanoTime() - deadline < 0) {
                    Thread.sleep(1); // until it parks on the socket (accept or read)
                }
                OutputStream out = client.getOutputStream();
                out.write(1);
                reader.join(Duration.ofSeconds(2));
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "LeakCheck warm-up failed: {0}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            WARMED_UP.set(true);
            WARM_UP_LOCK.unlock();
        }
    }
}
