package dev.weft.bench.demo;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The JVM the demo's server runs in, as the report names it.
 *
 * @param flags    its command-line flags
 * @param gc       its garbage collectors' names
 * @param carriers how many carrier threads the virtual-thread scheduler runs on
 */
record ServerJvm(List<String> flags, String gc, int carriers) {

    /** This JVM. */
    static ServerJvm current() {
        String gc = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(" + "));
        // The JDK's scheduler uses this property when set, else one carrier per available processor.
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        return new ServerJvm(List.copyOf(ManagementFactory.getRuntimeMXBean().getInputArguments()), gc, carriers);
    }
}
