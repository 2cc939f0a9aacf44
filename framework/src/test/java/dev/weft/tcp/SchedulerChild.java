package dev.weft.tcp;

/**
 * The child-JVM half of {@link VirtualThreadAccessTest}: the probe runs once per JVM, so each flag
 * and mode is tried in a JVM of its own, in which the probe is the first thing that happens.
 *
 * <p>{@code probe}: prints {@code PROBE <available> <reason>}, or {@code THROWN <exception>} if the
 * probe refused.
 */
public final class SchedulerChild {

    private SchedulerChild() {
    }

    public static void main(String[] args) throws Exception {
        VirtualThreadAccess.Probe probe;
        try {
            probe = VirtualThreadAccess.probe();
        } catch (RuntimeException e) {
            System.out.println("THROWN " + e);
            return;
        }
        System.out.println("PROBE " + probe.available() + " " + probe.reason());
    }
}
