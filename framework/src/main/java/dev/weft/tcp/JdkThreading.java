package dev.weft.tcp;

/**
 * What the running JDK's virtual threads do that Weft's carriers ({@code Carrier}) must know about,
 * as facts of one feature release. The JDK's scheduler internals changed between 21 and 25, and
 * only 25 is installed on the machines this was built on, so every difference lives here, with its
 * own tests over the versions, instead of as version checks scattered through the scheduling code.
 *
 * <p>The scheduling code accepts both shapes of each difference and decides nothing from them; the
 * facts are used in assertions, tests and log text. How each release's facts were learned is in
 * {@link #evidence()}: 25 by running (the spike in {@code framework/design/spike} and the tests), 21,
 * 23 and 24 by reading their {@code java.lang.VirtualThread} sources, 22 inferred from 21 and 23, and
 * anything newer than 25 assumed to be as 25 (the probe in {@link VirtualThreadAccess} still checks
 * that a virtual thread really runs on a given scheduler there).
 *
 * @param feature                 the feature release, 21 or newer
 * @param unparkSubmitsAsCarrier  {@code LockSupport.unpark} of a parked virtual thread, called from
 *                                another virtual thread, reaches the scheduler's {@code execute} with
 *                                {@code Thread.currentThread()} switched to the unparker's carrier
 *                                (21 to 23: {@code switchToCarrierThread} before the submit); from 24
 *                                on it is the unparking virtual thread itself
 * @param submitPinsVirtualCaller a virtual thread that calls {@code execute} (by starting or
 *                                unparking another) is pinned for the call (24 on: the JDK's comment
 *                                says this avoids deadlocks between carriers and virtual threads
 *                                contending for a lock); on 21 to 23 it is not pinned, so an
 *                                {@code execute} that parked would unmount the caller mid-submit.
 *                                Either way {@code execute} must never block
 * @param jdkPollersAreVirtual    the JDK's socket pollers ({@code sun.nio.ch.Poller}) are virtual
 *                                threads (22 on, Linux's default {@code jdk.pollerMode}), started in
 *                                the class's initializer with {@code Thread.ofVirtual()} and so on the
 *                                scheduler of whichever thread first touched the class; on 21 they are
 *                                platform threads
 * @param monitorsUnmount         a virtual thread that blocks entering a monitor, or parks or waits
 *                                inside one, unmounts instead of pinning its carrier (JEP 491, 24 on),
 *                                and is woken through the JDK's {@code VirtualThread-unblocker}
 *                                platform thread; before 24 it pins the carrier's OS thread
 * @param timerQueues             timed parks of virtual threads on a scheduler that is not a
 *                                {@code ForkJoinPool} are timed by several delay queues picked by
 *                                thread id ({@code jdk.virtualThreadScheduler.timerQueues}, 24 on)
 *                                rather than one shared queue (21 to 23); either way the expiry
 *                                reaches {@code execute} from a platform thread named
 *                                {@link #timerThreadName()}
 * @param timerThreadName         the name of the JDK's platform thread that wakes timed parks of
 *                                virtual threads on a custom scheduler
 * @param evidence                how these facts were learned for this release
 */
record JdkThreading(
        int feature,
        boolean unparkSubmitsAsCarrier,
        boolean submitPinsVirtualCaller,
        boolean jdkPollersAreVirtual,
        boolean monitorsUnmount,
        boolean timerQueues,
        String timerThreadName,
        String evidence) {

    /** The newest release whose facts were checked by running; later ones are assumed to be as this. */
    static final int NEWEST_KNOWN = 25;

    private static final JdkThreading CURRENT = of(Runtime.version());

    /** The facts of the running JDK. */
    static JdkThreading current() {
        return CURRENT;
    }

    /** The facts of {@code version}'s feature release; Weft needs 21 or newer. */
    static JdkThreading of(Runtime.Version version) {
        int feature = version.feature();
        if (feature < 21) {
            throw new IllegalArgumentException("Weft needs JDK 21 or newer; this is JDK " + feature);
        }
        return new JdkThreading(
                feature,
                feature <= 23,
                feature >= 24,
                feature >= 22,
                feature >= 24,
                feature >= 24,
                "VirtualThread-unparker",
                evidence(feature));
    }

    private static String evidence(int feature) {
        return switch (feature) {
            case 21 -> "read in openjdk/jdk21u's java.lang.VirtualThread, not run";
            case 22 -> "inferred from 21 and 23 (virtual-thread pollers arrived in 22, JDK-8318422), not run";
            case 23, 24 -> "read in OpenJ9's mirror of JDK " + feature + "'s java.lang.VirtualThread, not run";
            case NEWEST_KNOWN -> "run on 25.0.3 (the spike and the carrier tests) and read in its src.zip";
            default -> "assumed to be as JDK " + NEWEST_KNOWN + ", not checked";
        };
    }
}
