package dev.weft.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/** LeakCheck's logic, called directly: it must see a leaked socket or thread, and nothing else. */
class LeakCheckTest {

    private final LeakCheck check = new LeakCheck().withTimeout(Duration.ofMillis(300));

    @Test
    void descriptorsAreCheckedWhereProcListsThem() {
        LeakCheck.Snapshot now = check.snapshot();
        assertEquals(Files.isDirectory(Path.of("/proc/self/fd")), now.openFilesChecked());
        assertTrue(now.threads().containsKey(Thread.currentThread().threadId()));
        if (now.openFilesChecked()) {
            assertTrue(now.openFiles().size() >= 3, "stdin, stdout and stderr at least: " + now.openFiles());
        }
    }

    @Test
    void socketsOpenedAndClosedAreNoLeak() throws Exception {
        LeakCheck.Snapshot before = check.snapshot();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            client.getOutputStream().write(1);
            assertEquals(1, accepted.getInputStream().read());
        }
        assertEquals(List.of(), check.leaksSince(before));
    }

    @Test
    void aLeakedSocketIsNamedWithItsConnection() throws Exception {
        LeakCheck.Snapshot before = check.snapshot();
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
        try {
            if (!before.openFilesChecked()) {
                assertEquals(List.of(), check.leaksSince(before), "nothing to see without /proc");
                return;
            }
            long start = System.nanoTime();
            List<String> leaks = check.awaitNoLeaksSince(before);
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos(), "it waited the timeout first");
            String port = ":" + server.getLocalPort();
            assertEquals(2, leaks.size(), leaks.toString());
            assertTrue(leaks.stream().anyMatch(l -> l.matches("open file: fd \\d+ -> socket:\\[\\d+] \\(tcp 127\\.0\\.0\\.1"
                    + port + " LISTEN\\)")), leaks.toString());
            assertTrue(leaks.stream().anyMatch(l -> l.matches("open file: fd \\d+ -> socket:\\[\\d+] \\(tcp 127\\.0\\.0\\.1:"
                    + client.getLocalPort() + " -> 127\\.0\\.0\\.1" + port + " ESTABLISHED\\)")), leaks.toString());
        } finally {
            client.close();
            server.close();
        }
        assertEquals(List.of(), check.awaitNoLeaksSince(before), "closed: back to the baseline");
    }

    @Test
    void aLeakedThreadIsNamedAndAThreadThatEndsSoonIsWaitedFor() throws Exception {
        LeakCheck.Snapshot before = check.snapshot();
        CountDownLatch release = new CountDownLatch(1);
        Thread leaky = Thread.ofPlatform().name("leaky-worker").start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            List<String> leaks = check.awaitNoLeaksSince(before);
            assertEquals(1, leaks.size(), leaks.toString());
            assertTrue(leaks.getFirst().startsWith("thread \"leaky-worker\" (WAITING) at "), leaks.getFirst());
            assertTrue(leaks.getFirst().contains("CountDownLatch.await"), leaks.getFirst());
        } finally {
            release.countDown();
        }
        // It ends on its own a moment after the release: the bounded poll waits for that.
        assertEquals(List.of(), new LeakCheck().withTimeout(Duration.ofSeconds(5)).awaitNoLeaksSince(before));
        assertFalse(leaky.isAlive());
    }

    @Test
    void ignoredThreadsAndFilesAreNoLeaks() throws Exception {
        LeakCheck lenient = check.ignoringThreads("leaky-.*").ignoringFiles("socket:.*");
        LeakCheck.Snapshot before = lenient.snapshot();
        CountDownLatch release = new CountDownLatch(1);
        Thread.ofPlatform().name("leaky-ignored").start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(List.of(), lenient.leaksSince(before));
            assertEquals(before.openFilesChecked() ? 2 : 1, check.leaksSince(before).size(), "the strict check sees both");
        } finally {
            release.countDown();
        }
    }

    @Test
    void theExtensionFailsAfterTheTestOnALeakAndPassesOtherwise() throws Exception {
        ExtensionContext context = fakeContext("leaky test()");
        check.beforeEach(context);
        Thread leaked = Thread.ofPlatform().name("left-running").start(() -> {
            try {
                Thread.sleep(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            AssertionError failure = assertThrows(AssertionError.class, () -> check.afterEach(context));
            assertTrue(failure.getMessage().startsWith("LeakCheck: leaky test() left 1 thing open 300 ms after it ended:\n"
                    + "  thread \"left-running\" (daemon, TIMED_WAITING) at ")
                    || failure.getMessage().startsWith("LeakCheck: leaky test() left 1 thing open 300 ms after it ended:\n"
                    + "  thread \"left-running\" (TIMED_WAITING) at "), failure.getMessage());
        } finally {
            leaked.interrupt();
            leaked.join();
        }

        ExtensionContext clean = fakeContext("clean test()");
        check.beforeEach(clean);
        try (MockUpstream upstream = MockUpstream.start(); RawClient client = new RawClient(upstream)) {
            client.send("GET / HTTP/1.1\r\n\r\n");
            assertEquals("HTTP/1.1 404", client.read(12));
        }
        assertDoesNotThrow(() -> check.afterEach(clean));
    }

    /** The two things LeakCheck uses of a context: a store and names; report entries are collected. */
    private static ExtensionContext fakeContext(String displayName) {
        Map<Object, Object> values = new HashMap<>();
        List<Map<String, String>> reports = new ArrayList<>();
        ExtensionContext.Store store = (ExtensionContext.Store) Proxy.newProxyInstance(LeakCheckTest.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.Store.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "put" -> values.put(args[0], args[1]);
                    case "remove" -> values.remove(args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (ExtensionContext) Proxy.newProxyInstance(LeakCheckTest.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getStore" -> store;
                    case "getUniqueId" -> "[test:" + displayName + "]";
                    case "getDisplayName" -> displayName;
                    case "publishReportEntry" -> reports.add(Map.of(String.valueOf(args[0]), String.valueOf(args[1])));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
