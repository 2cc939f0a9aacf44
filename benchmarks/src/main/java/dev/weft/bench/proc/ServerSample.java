package dev.weft.bench.proc;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server JVM's memory and threads at one moment, taken after full collections so that the heap
 * figure is live data only.
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

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rssBytes", rssBytes);
        m.put("heapUsedBytes", heapUsedBytes);
        m.put("heapCommittedBytes", heapCommittedBytes);
        m.put("osThreads", osThreads);
        return m;
    }

    /** The inverse of {@link #toMap()}. */
    public static ServerSample fromMap(Map<String, Object> m) {
        return new ServerSample(number(m, "rssBytes"), number(m, "heapUsedBytes"), number(m, "heapCommittedBytes"),
                (int) number(m, "osThreads"));
    }

    private static long number(Map<String, Object> m, String key) {
        if (m.get(key) instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("sample has no number '" + key + "': " + m);
    }
}
