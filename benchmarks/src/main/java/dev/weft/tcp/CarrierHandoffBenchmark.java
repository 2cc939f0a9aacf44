package dev.weft.tcp;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one hand-off between two virtual threads costs (A unparks B and parks, B unparks A and
 * parks) on one {@link Carrier} (issue #18, step 2) against the JDK's own scheduler: the
 * continuation switches the carriers add per message in place of a thread hop. Two long-lived
 * threads pass a baton {@value #HANDOFFS} times per invocation; the score is per hand-off. On the
 * JDK's scheduler the two threads may sit on different fork-join workers, so a hand-off can be a
 * futex wake; on a carrier it is a queue offer and a switch on one OS thread.
 *
 * <p>{@code Carrier} is package-private, hence this package (the benchmarks run on the class path);
 * the fork opens {@code java.lang} as the carriers need. Not in {@code JmhSuite}: run it by hand,
 * {@code java -cp 'benchmarks/target/weft-benchmarks.jar:benchmarks/target/lib/*'
 * org.openjdk.jmh.Main CarrierHandoff}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--add-opens=java.base/java.lang=ALL-UNNAMED")
public class CarrierHandoffBenchmark {

    static final int HANDOFFS = 10_000;

    @Param({"carrier", "default"})
    public String scheduler;

    private Carrier carrier;
    private Thread ping;
    private Thread pong;
    private volatile Thread waiter;
    private volatile int baton;
    private volatile int batches;
    private volatile int batchesDone;
    private volatile boolean stop;

    @Setup(Level.Trial)
    public void start() {
        Thread.Builder.OfVirtual threads;
        if (scheduler.equals("carrier")) {
            VirtualThreadAccess.Probe probe = VirtualThreadAccess.probe();
            if (!probe.available()) {
                throw new IllegalStateException(probe.reason());
            }
            carrier = Carrier.start(0);
            threads = carrier.threads();
        } else {
            threads = Thread.ofVirtual();
        }
        pong = threads.name("pong").start(this::pong);
        ping = threads.name("ping").start(this::ping);
    }

    /** Each batch: {@link #HANDOFFS} / 2 round trips with {@link #pong}, then wakes the benchmark thread. */
    private void ping() {
        int done = 0;
        while (!stop) {
            while (batches == done && !stop) {
                LockSupport.park();
            }
            for (int i = 0; i < HANDOFFS / 2 && !stop; i++) {
                baton = 1;
                LockSupport.unpark(pong);
                while (baton == 1 && !stop) {
                    LockSupport.park();
                }
            }
            batchesDone = ++done;
            LockSupport.unpark(waiter);
        }
    }

    private void pong() {
        while (!stop) {
            while (baton != 1 && !stop) {
                LockSupport.park();
            }
            baton = 0;
            LockSupport.unpark(ping);
        }
    }

    @Benchmark
    @OperationsPerInvocation(HANDOFFS)
    public int handoffs() {
        waiter = Thread.currentThread();
        int batch = batches + 1;
        batches = batch;
        LockSupport.unpark(ping);
        while (batchesDone < batch) {
            LockSupport.park();
        }
        return batch;
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        stop = true;
        LockSupport.unpark(ping);
        LockSupport.unpark(pong);
        ping.join(5_000);
        pong.join(5_000);
        if (carrier != null) {
            carrier.close();
        }
    }
}
