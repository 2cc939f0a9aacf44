package dev.weft.bench.proc;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/**
 * The server JVM's memory and threads at one moment, taken after full collections so that the heap
 * figure is live data only. The server JVM prints it as JSON on its {@code SAMPLE} line.
 *
 * @param rssBytes           resident set size (VmRSS)
 * @param heapUsedBytes      heap in use after GC (live objects)
 * @param heapCommittedBytes heap the JVM has committed
 * @param osThreads          OS threads in the process
 */
public record ServerSample(long rssBytes, long heapUsedBytes, long heapCommittedBytes, int osThreads) {

    private static final int COLLECTIONS = 2;
    private static final long SETTLE_MILLIS = 100;

    /** Collects twice (a second pass catches what the first one's reference processing freed), then samples. */
    public static ServerSample afterGc() throws InterruptedException {
        for (int i = 0; i < COLLECTIONS; i++) {
            System.gc();
            Thread.sleep(SETTLE_MILLIS);
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Proc self = Proc.self();
        return new ServerSample(self.rssBytes(), heap.getUsed(), heap.getCommitted(), self.osThreads());
    }
}
