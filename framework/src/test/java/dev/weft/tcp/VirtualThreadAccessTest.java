package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe for Weft's own virtual-thread scheduler: what each {@code weft.scheduler} mode does in
 * this JVM, that both ways into the JDK's builder give threads on the given scheduler, and, in child
 * JVMs where the probe is the first thing to happen, what a user gets with and without the flag and
 * where the JDK's socket pollers end up.
 */
@Timeout(60)
class VirtualThreadAccessTest {

    private static final String OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    private static final String OPEN_NIO = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    private static final String NOT_OPEN = "java.base does not open java.lang to the unnamed module; start the JVM"
            + " with --add-opens java.base/java.lang=ALL-UNNAMED to run virtual threads on Weft's carriers";

    @TempDir
    Path dir;

    private static boolean langOpen() {
        return Object.class.getModule().isOpen("java.lang", VirtualThreadAccess.class.getModule());
    }

    @Test
    void modesAreNamedByThePropertyAndAnythingElseIsRefused() {
        assertEquals(VirtualThreadAccess.Mode.AUTO, VirtualThreadAccess.Mode.parse(null));
        assertEquals(VirtualThreadAccess.Mode.AUTO, VirtualThreadAccess.Mode.parse(" "));
        assertEquals(VirtualThreadAccess.Mode.AUTO, VirtualThreadAccess.Mode.parse("auto"));
        assertEquals(VirtualThreadAccess.Mode.CARRIERS, VirtualThreadAccess.Mode.parse(" Carriers "));
        assertEquals(VirtualThreadAccess.Mode.DEFAULT, VirtualThreadAccess.Mode.parse("DEFAULT"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VirtualThreadAccess.Mode.parse("loom"));
        assertEquals("weft.scheduler must be auto, carriers or default, was 'loom'", e.getMessage());

        VirtualThreadAccess.Outcome bad = VirtualThreadAccess.run("fifo");
        e = assertThrows(IllegalArgumentException.class, bad::checked);
        assertEquals("weft.scheduler must be auto, carriers or default, was 'fifo'", e.getMessage());
    }

    @Test
    void defaultIsOffBecauseItWasAskedFor() {
        VirtualThreadAccess.Outcome asked = VirtualThreadAccess.run("default");
        assertFalse(asked.checked().available());
        assertEquals("the JDK's scheduler was asked for (weft.scheduler=default)", asked.checked().reason());
        assertNull(asked.handles());
    }

    @Test
    void theProbeInThisJvmFollowsTheOpenPackage() {
        VirtualThreadAccess.Probe probe = VirtualThreadAccess.probe();
        assertEquals(langOpen(), probe.available(), probe.reason());
        if (probe.available()) {
            assertTrue(probe.reason().startsWith("java.base opens java.lang to the unnamed module and a probe virtual"
                    + " thread ran on its given scheduler (the builder's Executor constructor, JDK "), probe.reason());
            assertInstanceOf(ForkJoinPool.class, VirtualThreadAccess.defaultScheduler());
        } else {
            assertEquals(NOT_OPEN, probe.reason());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> VirtualThreadAccess.builder(Runnable::run));
            assertEquals("virtual threads cannot be given a scheduler here: " + NOT_OPEN, e.getMessage());
            assertFalse(VirtualThreadAccess.defaultSchedulerBuilder().unstarted(() -> { }).isAlive());
        }
        VirtualThreadAccess.Outcome insist = VirtualThreadAccess.run("carriers");
        if (langOpen()) {
            assertTrue(insist.checked().available());
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, insist::checked);
            assertEquals("weft.scheduler=carriers, but " + NOT_OPEN, e.getMessage());
        }
    }

    /** The constructor is the way in on 21 to 25; the builder's field is the fallback: both must work. */
    @Test
    void bothWaysInGiveThreadsOnTheGivenScheduler() throws Exception {
        assumeTrue(langOpen(), "needs --add-opens java.base/java.lang (the default test run has it)");
        for (boolean constructor : new boolean[] {true, false}) {
            VirtualThreadAccess.Handles handles = VirtualThreadAccess.Handles.lookUp(constructor);
            assertEquals(constructor ? "the builder's Executor constructor" : "the builder's scheduler field",
                    handles.route);
            assertNull(handles.selfTest());
            ExecutorService platform = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-scheduler"));
            try {
                AtomicReference<String> seen = new AtomicReference<>();
                Thread vt = handles.newBuilder(platform).name("on-test-scheduler").start(() -> {
                    Thread me = Thread.currentThread();
                    seen.set(VirtualThreadAccess.carrierOf(me).getName() + " "
                            + (VirtualThreadAccess.schedulerOf(me) == platform));
                });
                assertTrue(vt.join(Duration.ofSeconds(10)));
                assertEquals("test-scheduler true", seen.get());
                assertSame(platform, VirtualThreadAccess.schedulerOf(vt));
            } finally {
                platform.shutdownNow();
                assertTrue(platform.awaitTermination(10, TimeUnit.SECONDS));
            }
        }
    }

    /** A plain Thread.ofVirtual() inherits a custom scheduler; defaultSchedulerBuilder() does not. */
    @Test
    void childrenInheritTheSchedulerUnlessBuiltOnTheDefault() throws Exception {
        assumeTrue(langOpen(), "needs --add-opens java.base/java.lang (the default test run has it)");
        ExecutorService platform = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-scheduler"));
        try {
            AtomicReference<Thread> inherited = new AtomicReference<>();
            AtomicReference<Thread> onDefault = new AtomicReference<>();
            Thread parent = VirtualThreadAccess.builder(platform).start(() -> {
                inherited.set(Thread.ofVirtual().unstarted(() -> { }));
                onDefault.set(VirtualThreadAccess.defaultSchedulerBuilder().unstarted(() -> { }));
            });
            assertTrue(parent.join(Duration.ofSeconds(10)));
            assertSame(platform, VirtualThreadAccess.schedulerOf(inherited.get()));
            assertSame(VirtualThreadAccess.defaultScheduler(), VirtualThreadAccess.schedulerOf(onDefault.get()));
            assertSame(VirtualThreadAccess.defaultScheduler(),
                    VirtualThreadAccess.schedulerOf(Thread.ofVirtual().unstarted(() -> { })));
            assertNull(VirtualThreadAccess.carrierOf(Thread.currentThread()), "a platform thread has no carrier");
            assertNull(VirtualThreadAccess.schedulerOf(Thread.currentThread()));
        } finally {
            platform.shutdownNow();
        }
    }

    @Test
    void withoutTheFlagTheJdkSchedulerRunsAndOneLineSaysWhichFlag() throws Exception {
        Child child = child(List.of(), "probe");
        assertEquals(List.of("PROBE false " + NOT_OPEN), child.out, child.err);
        assertEquals(List.of("INFO: Virtual threads run on the JDK's scheduler: " + NOT_OPEN), child.logged(), child.err);
    }

    @Test
    void withTheFlagVirtualThreadsCanRunOnCarriers() throws Exception {
        Child child = child(List.of(OPEN_LANG), "probe");
        assertEquals(1, child.out.size(), child.err);
        assertTrue(child.out.get(0).startsWith("PROBE true java.base opens java.lang to the unnamed module"),
                child.out + child.err);
        assertEquals(1, child.logged().size(), child.err);
        assertTrue(child.logged().get(0).startsWith("INFO: Virtual threads can run on Weft's carriers: java.base"
                + " opens java.lang"), child.err);
    }

    @Test
    void defaultIsHonouredEvenWithTheFlag() throws Exception {
        Child child = child(List.of(OPEN_LANG, "-Dweft.scheduler=default"), "probe");
        assertEquals(List.of("PROBE false the JDK's scheduler was asked for (weft.scheduler=default)"), child.out,
                child.err);
        assertEquals(List.of("INFO: Virtual threads run on the JDK's scheduler: the JDK's scheduler was asked for"
                + " (weft.scheduler=default)"), child.logged(), child.err);
    }

    @Test
    void carriersWithoutTheFlagIsAnErrorNotALogLine() throws Exception {
        Child child = child(List.of("-Dweft.scheduler=carriers"), "probe");
        assertEquals(List.of("THROWN java.lang.IllegalStateException: weft.scheduler=carriers, but " + NOT_OPEN),
                child.out, child.err);
        assertEquals(List.of(), child.logged(), child.err);
    }

    /**
     * A carrier thread is the first in its JVM to read from a JDK socket; the JDK's pollers, started
     * by the probe from a platform thread, still get the JDK's scheduler (on 21, platform threads).
     * Without the probe's early initialisation they would inherit the carrier (the spike's
     * {@code noPollerInit} run showed it).
     */
    @Test
    void theJdkPollersStayOffTheCarriers() throws Exception {
        Child child = child(List.of(OPEN_LANG, OPEN_NIO), "pollers");
        assertTrue(child.out.get(0).startsWith("PROBE true"), child.out + child.err);
        assertEquals("READ 42 on weft-carrier-0", child.out.get(1), child.err);
        List<String> pollers = child.out.subList(2, child.out.size());
        assertFalse(pollers.isEmpty(), child.out + child.err);
        String expected = JdkThreading.current().jdkPollersAreVirtual() ? " default" : " platform";
        for (String line : pollers) {
            assertTrue(line.startsWith("POLLER ") && line.endsWith(expected), pollers + child.err);
        }
    }

    private record Child(List<String> out, String err) {
        /** The probe's log lines (JUL's default format puts the level and message on the second line). */
        List<String> logged() {
            List<String> lines = new ArrayList<>();
            for (String line : err.split("\n")) {
                if (line.contains("Virtual threads")) {
                    lines.add(line);
                }
            }
            return lines;
        }
    }

    /** Runs {@link SchedulerChild} in a JVM of its own: the same java and class path, the given flags. */
    private Child child(List<String> flags, String mode) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("-Xmx128m");
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SchedulerChild.class.getName(), mode));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the child JVM ends");
        } finally {
            p.destroyForcibly();
        }
        String errText = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), errText);
        return new Child(Files.readAllLines(out, StandardCharsets.UTF_8), errText);
    }
}
