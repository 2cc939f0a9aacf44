package dev.weft.tcp;

import dev.weft.internal.BackgroundThreads;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Virtual threads on a scheduler of Weft's choosing, through the JDK's non-public API, probed once
 * per JVM; where the API is missing or refused, the JDK's own scheduler runs as before and one log
 * line says why and which flag would change it.
 *
 * <p>Released JDKs (21 to 25) have no public way to give a virtual thread a scheduler. Their
 * {@code java.lang.ThreadBuilders$VirtualThreadBuilder} has a package-private constructor taking an
 * {@link Executor} (marked "invoked by tests" in the JDK) and, failing that, a private
 * {@code scheduler} field that the ordinary {@code Thread.ofVirtual()} builder leaves null; both are
 * reachable only if {@code java.base} opens {@code java.lang} to Weft: {@code --add-opens
 * java.base/java.lang=dev.weft} on the module path, {@code =ALL-UNNAMED} on the class path. The same
 * open lets Weft read a virtual thread's {@code carrierThread} and {@code scheduler} and the JDK's
 * {@code DEFAULT_SCHEDULER} (a {@code ForkJoinPool}, a private static of {@code
 * java.lang.VirtualThread} in 21 and 25). Reaching the builder by reflection, with its field as the
 * fallback, and the carrier by a handle on {@code carrierThread}, is how Netty's virtual-thread
 * scheduler project (franz1981/Netty-VirtualThread-Scheduler, its JDK 21 era) and Micronaut's
 * loom-carrier mode do it; the Loom project's {@code loom-docs/CustomSchedulers.md} describes a
 * public scheduler API that no released JDK has.
 *
 * <p>The system property {@code weft.scheduler} chooses: {@code auto} (the default) uses the API
 * where the probe passes; {@code default} always uses the JDK's scheduler; {@code carriers} insists,
 * so that a failed probe is an exception from {@link #probe()} instead of a log line.
 *
 * <p>The probe runs on a platform thread (a new one if the first caller is virtual): after the
 * reflection it starts a virtual thread on a probe executor, runs that thread's continuation itself
 * and checks, inside it, that its carrier and scheduler are what they should be. It then initialises
 * {@code sun.nio.ch.Poller}: from JDK 22 its read and write pollers are virtual threads created in its
 * class initializer with {@code Thread.ofVirtual()}, so they inherit the scheduler of whichever thread
 * first touches the class; were that a virtual thread on one of Weft's carriers, every JDK socket in
 * the process would be polled there (Netty's project, issue 9). {@code Class.forName} needs no open.
 *
 * <p>Thread-safe; every method after the first call of {@link #probe()} is cheap.
 */
final class VirtualThreadAccess {

    /** The system property that chooses the scheduler: {@code auto}, {@code carriers} or {@code default}. */
    static final String PROPERTY = "weft.scheduler";

    private static final System.Logger LOG = System.getLogger(VirtualThreadAccess.class.getName());
    private static final String BUILDER_CLASS = "java.lang.ThreadBuilders$VirtualThreadBuilder";
    private static final String THREAD_CLASS = "java.lang.VirtualThread";
    private static final long SELF_TEST_MILLIS = 1_000;

    private VirtualThreadAccess() {
    }

    /** What {@code weft.scheduler} asks for. */
    enum Mode {
        /** Weft's scheduler where the probe passes, the JDK's elsewhere (the default). */
        AUTO,
        /** Weft's scheduler, or an exception saying why not. */
        CARRIERS,
        /** The JDK's scheduler, without probing. */
        DEFAULT;

        /** The mode a value of {@code weft.scheduler} names; null or blank is {@link #AUTO}. */
        static Mode parse(String value) {
            if (value == null || value.isBlank()) {
                return AUTO;
            }
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        PROPERTY + " must be auto, carriers or default, was '" + value + "'", e);
            }
        }
    }

    /**
     * The probe's answer.
     *
     * @param available whether virtual threads can be given Weft's scheduler in this JVM
     * @param reason    one sentence: why not, with the flag that would change it; or how, if available
     */
    record Probe(boolean available, String reason) {
    }

    /**
     * The probe's answer for this JVM, probing on the first call.
     *
     * @throws IllegalArgumentException if {@code weft.scheduler} names no mode
     * @throws IllegalStateException    if {@code weft.scheduler=carriers} and the probe failed
     */
    static Probe probe() {
        return Holder.OUTCOME.checked();
    }

    /**
     * A builder of virtual threads scheduled by {@code scheduler}: every start, unpark, yield and
     * timer expiry of those threads calls {@code scheduler.execute}, which must only enqueue (the JDK
     * refuses to run a continuation on a virtual thread, and running it inline recurses) and must
     * never throw (a refused start fails {@code Thread.start}, a refused unpark loses the wake-up).
     * Threads those threads create with {@code Thread.ofVirtual()} inherit the scheduler.
     *
     * @throws IllegalStateException if the probe failed (saying why)
     */
    static Thread.Builder.OfVirtual builder(Executor scheduler) {
        return handles().newBuilder(scheduler);
    }

    /** The platform thread that {@code thread} is mounted on, or null if it is not a mounted virtual thread. */
    static Thread carrierOf(Thread thread) {
        Handles h = handles();
        return thread.isVirtual() ? (Thread) h.carrierThread.getVolatile(thread) : null;
    }

    /** The scheduler of virtual thread {@code thread}, or null for a platform thread. */
    static Executor schedulerOf(Thread thread) {
        Handles h = handles();
        return thread.isVirtual() ? (Executor) h.scheduler.get(thread) : null;
    }

    /** The JDK's own scheduler of virtual threads (its fork-join pool). */
    static Executor defaultScheduler() {
        return handles().defaultScheduler;
    }

    /**
     * A builder of virtual threads on the JDK's scheduler wherever they are started from. A plain
     * {@code Thread.ofVirtual()} thread started on one of Weft's carriers inherits the carrier's
     * scheduler; Weft's background threads use this instead. Where the probe failed there are no
     * other schedulers, and this is {@code Thread.ofVirtual()}.
     */
    static Thread.Builder.OfVirtual defaultSchedulerBuilder() {
        Handles h = Holder.OUTCOME.handles;
        return h == null ? Thread.ofVirtual() : h.newBuilder(h.defaultScheduler);
    }

    private static Handles handles() {
        Handles h = Holder.OUTCOME.handles;
        if (h == null) {
            throw new IllegalStateException("virtual threads cannot be given a scheduler here: "
                    + probe().reason());
        }
        return h;
    }

    /** The probe's result, found once. */
    private static final class Holder {
        static final Outcome OUTCOME = onPlatformThread();
    }

    /**
     * What one probe found: the mode asked for, the answer, the handles where it passed, and the
     * complaint about {@code weft.scheduler}'s value if it named no mode.
     */
    record Outcome(Mode mode, Probe probe, Handles handles, IllegalArgumentException badMode) {

        /** The answer, or the exception {@link VirtualThreadAccess#probe()} documents. */
        Probe checked() {
            if (badMode != null) {
                throw new IllegalArgumentException(badMode.getMessage(), badMode);
            }
            if (mode == Mode.CARRIERS && !probe.available()) {
                throw new IllegalStateException(PROPERTY + "=carriers, but " + probe.reason());
            }
            return probe;
        }
    }

    private static Outcome onPlatformThread() {
        if (!Thread.currentThread().isVirtual()) {
            return run(System.getProperty(PROPERTY));
        }
        AtomicReference<Outcome> result = new AtomicReference<>();
        Thread prober = Thread.ofPlatform().daemon().name("weft-scheduler-probe")
                .start(() -> result.set(run(System.getProperty(PROPERTY))));
        boolean interrupted = false;
        while (true) {
            try {
                prober.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return result.get();
    }

    /**
     * Probes on the calling platform thread and logs the answer (except for {@code carriers}, whose
     * failure {@link Outcome#checked()} throws); {@code property} is {@code weft.scheduler}'s value.
     * Package-private so that tests can probe each mode in one JVM.
     */
    static Outcome run(String property) {
        Mode mode;
        try {
            mode = Mode.parse(property);
        } catch (IllegalArgumentException e) {
            return new Outcome(Mode.DEFAULT, new Probe(false, e.getMessage()), null, e);
        }
        if (mode == Mode.DEFAULT) {
            Probe asked = new Probe(false, "the JDK's scheduler was asked for (" + PROPERTY + "=default)");
            LOG.log(Level.INFO, "Virtual threads run on the JDK's scheduler: " + asked.reason());
            return new Outcome(mode, asked, null, null);
        }
        Handles handles = null;
        String why = unopened();
        if (why == null) {
            try {
                handles = Handles.lookUp(true);
                why = handles.selfTest();
            } catch (ReflectiveOperationException | RuntimeException e) {
                why = "the JDK's internal virtual-thread API is not as Weft expects on JDK "
                        + Runtime.version().feature() + " (" + describe(e) + ")";
            }
        }
        if (why != null) {
            Probe off = new Probe(false, why);
            if (mode == Mode.AUTO) {
                LOG.log(Level.INFO, "Virtual threads run on the JDK's scheduler: " + why);
            }
            return new Outcome(mode, off, null, null);
        }
        initJdkPollers();
        Handles found = handles;
        BackgroundThreads.install(() -> found.newBuilder(found.defaultScheduler));
        Probe on = new Probe(true, "java.base opens java.lang to " + moduleName() + " and a probe virtual thread ran"
                + " on its given scheduler (" + handles.route + ", JDK " + Runtime.version() + ")");
        LOG.log(Level.INFO, "Virtual threads can run on Weft's carriers: " + on.reason());
        return new Outcome(mode, on, handles, null);
    }

    /** Why {@code java.lang} is not open to Weft, with the flag that opens it; null if it is. */
    private static String unopened() {
        Module base = Object.class.getModule();
        if (base.isOpen("java.lang", VirtualThreadAccess.class.getModule())) {
            return null;
        }
        String target = VirtualThreadAccess.class.getModule().isNamed() ? moduleName() : "ALL-UNNAMED";
        return "java.base does not open java.lang to " + moduleName() + "; start the JVM with --add-opens"
                + " java.base/java.lang=" + target + " to run virtual threads on Weft's carriers";
    }

    private static String moduleName() {
        Module ours = VirtualThreadAccess.class.getModule();
        return ours.isNamed() ? ours.getName() : "the unnamed module";
    }

    /** Starts the JDK's socket pollers from this platform thread, so that they get the JDK's scheduler. */
    private static void initJdkPollers() {
        try {
            Class.forName("sun.nio.ch.Poller");
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.log(Level.DEBUG, "sun.nio.ch.Poller not initialised early: " + describe(e));
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
        return t.getMessage() == null ? t.getClass().getName() : t.getClass().getName() + ": " + t.getMessage();
    }

    /** The reflective entry points into {@code java.lang}. */
    static final class Handles {
        final String route;
        final VarHandle carrierThread;
        final VarHandle scheduler;
        final Executor defaultScheduler;
        private final Constructor<?> constructor;
        private final Field builderScheduler;

        private Handles(String route, Constructor<?> constructor, Field builderScheduler, VarHandle carrierThread,
                VarHandle scheduler, Executor defaultScheduler) {
            this.route = route;
            this.constructor = constructor;
            this.builderScheduler = builderScheduler;
            this.carrierThread = carrierThread;
            this.scheduler = scheduler;
            this.defaultScheduler = defaultScheduler;
        }

        /**
         * Looks the API up; {@code constructor} false skips the builder's constructor and uses its
         * {@code scheduler} field (the fallback, also used where a later JDK drops the constructor).
         */
        static Handles lookUp(boolean constructor) throws ReflectiveOperationException {
            Class<?> vt = Class.forName(THREAD_CLASS);
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(vt, MethodHandles.lookup());
            VarHandle carrier = lookup.unreflectVarHandle(vt.getDeclaredField("carrierThread"));
            VarHandle scheduler = lookup.unreflectVarHandle(vt.getDeclaredField("scheduler"));
            Object pool = lookup.unreflectVarHandle(vt.getDeclaredField("DEFAULT_SCHEDULER")).get();
            Class<?> builder = Class.forName(BUILDER_CLASS);
            Constructor<?> ctor = null;
            Field field = null;
            String route;
            if (constructor && hasConstructor(builder)) {
                ctor = builder.getDeclaredConstructor(Executor.class);
                ctor.setAccessible(true);
                route = "the builder's Executor constructor";
            } else {
                field = builder.getDeclaredField("scheduler");
                field.setAccessible(true);
                route = "the builder's scheduler field";
            }
            return new Handles(route, ctor, field, carrier, scheduler, (Executor) pool);
        }

        private static boolean hasConstructor(Class<?> builder) {
            try {
                builder.getDeclaredConstructor(Executor.class);
                return true;
            } catch (NoSuchMethodException e) {
                return false;
            }
        }

        Thread.Builder.OfVirtual newBuilder(Executor executor) {
            if (executor == null) {
                throw new NullPointerException("scheduler");
            }
            try {
                if (constructor != null) {
                    return (Thread.Builder.OfVirtual) constructor.newInstance(executor);
                }
                Thread.Builder.OfVirtual b = Thread.ofVirtual();
                builderScheduler.set(b, executor);
                return b;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot build virtual threads on a scheduler: " + describe(e), e);
            }
        }

        /**
         * Starts a virtual thread on an executor that only stores its task, runs the task on this
         * platform thread and checks what the thread saw; null if all was as expected, else why not.
         */
        String selfTest() {
            Thread here = Thread.currentThread();
            if (here.isVirtual()) {
                return "the probe must run on a platform thread (the JDK runs continuations only there)";
            }
            LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
            Executor probe = queue::add;
            AtomicReference<String> seen = new AtomicReference<>("the probe virtual thread never ran");
            Thread vt = newBuilder(probe).name("weft-scheduler-probe-vt").unstarted(() -> {
                Thread me = Thread.currentThread();
                Object carrier = carrierThread.getVolatile(me);
                Object sched = scheduler.get(me);
                seen.set(carrier != here ? "the probe virtual thread ran on " + carrier + ", not on " + here
                        : sched != probe ? "the probe virtual thread's scheduler is " + sched + ", not the probe's"
                        : null);
            });
            vt.start();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SELF_TEST_MILLIS);
            try {
                while (vt.isAlive()) {
                    long left = deadline - System.nanoTime();
                    Runnable task = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (task == null) {
                        return "the probe virtual thread did not finish within " + SELF_TEST_MILLIS + " ms";
                    }
                    task.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while probing";
            }
            return seen.get();
        }
    }
}
