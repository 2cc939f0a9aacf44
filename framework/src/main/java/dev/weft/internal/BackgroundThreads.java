package dev.weft.internal;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Builders of Weft's own background virtual threads (health checks, DNS queries and refreshes, the
 * proxies' idle sweepers, name lookups), which must run on the JDK's scheduler wherever they are
 * started from. A plain {@code Thread.ofVirtual()} thread inherits the scheduler of the virtual
 * thread that starts it (JDK 21 to 25), so one started from a connection's thread on a carrier of the
 * epoll transport would otherwise live on that carrier: a blocking name lookup there stalls every
 * connection of the carrier, and a sweeper there sleeps with it.
 *
 * <p>Until {@code dev.weft.tcp} finds that virtual threads can be given a scheduler (and installs
 * the JDK's one here), this is {@code Thread.ofVirtual()}: without that there are no carriers to
 * inherit. Not exported by the module: for Weft's own packages.
 */
public final class BackgroundThreads {

    private static volatile Supplier<Thread.Builder.OfVirtual> builders = Thread::ofVirtual;

    private BackgroundThreads() {
    }

    /** A new builder of virtual threads on the JDK's scheduler. */
    public static Thread.Builder.OfVirtual builder() {
        return builders.get();
    }

    /** Called by {@code dev.weft.tcp} once it can build threads on the JDK's scheduler explicitly. */
    public static void install(Supplier<Thread.Builder.OfVirtual> onDefaultScheduler) {
        builders = Objects.requireNonNull(onDefaultScheduler, "onDefaultScheduler");
    }
}
