// Spike for issue #18 (not project code): a virtual thread on a custom Executor on JDK 25.
// Run:  /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --add-opens java.base/java.lang=ALL-UNNAMED \
//         --add-opens java.base/sun.nio.ch=ALL-UNNAMED CustomSchedulerSpike.java [noPollerInit]
// Shows: how the builder is reached and probed, what Thread.currentThread() is inside execute()
// for each kind of submission, that a blocking JDK socket read parks the virtual thread (the carrier
// runs other work meanwhile) and resumes it on the carrier, and whose scheduler the JDK's sub-pollers get.
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

public class CustomSchedulerSpike {

    /** One platform thread with a run queue; parks when the queue is empty. */
    static final class Carrier implements Executor {
        final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
        final Thread thread = Thread.ofPlatform().daemon().name("spike-carrier").unstarted(this::loop);
        final Map<String, AtomicInteger> callers = new ConcurrentHashMap<>();
        volatile boolean sleeping;
        volatile boolean stop;

        @Override
        public void execute(Runnable task) {
            Thread t = Thread.currentThread();
            String kind = t == thread ? "carrier itself"
                    : t.isVirtual() ? (carrierOf(t) == thread ? "virtual thread mounted on this carrier"
                            : "virtual thread on another carrier") : "other platform thread " + t.getName();
            callers.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
            queue.offer(task);
            if (sleeping) { // Dekker with the loop: offer, then read sleeping; loop sets sleeping, then reads queue
                LockSupport.unpark(thread);
            }
        }

        void loop() {
            while (!stop) {
                Runnable r = queue.poll();
                if (r != null) {
                    r.run();
                    continue;
                }
                sleeping = true;
                if (queue.isEmpty() && !stop) {
                    LockSupport.park(this);
                }
                sleeping = false;
            }
        }
    }

    static VarHandle CARRIER_THREAD;
    static VarHandle SCHEDULER;

    static Thread carrierOf(Thread vt) {
        return (Thread) CARRIER_THREAD.getVolatile(vt);
    }

    public static void main(String[] args) throws Exception {
        boolean initPoller = !(args.length > 0 && args[0].equals("noPollerInit"));
        System.out.println("JDK " + Runtime.version());

        // 1. Probe the non-public API once.
        Module base = Object.class.getModule();
        System.out.println("java.lang open to us: " + base.isOpen("java.lang", CustomSchedulerSpike.class.getModule()));
        Constructor<?> ctor = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder")
                .getDeclaredConstructor(Executor.class);
        ctor.setAccessible(true); // InaccessibleObjectException without --add-opens java.base/java.lang
        Class<?> vtClass = Class.forName("java.lang.VirtualThread");
        MethodHandles.Lookup vtLookup = MethodHandles.privateLookupIn(vtClass, MethodHandles.lookup());
        CARRIER_THREAD = vtLookup.findVarHandle(vtClass, "carrierThread", Thread.class);
        SCHEDULER = vtLookup.findVarHandle(vtClass, "scheduler", Executor.class);
        Object defaultScheduler = vtLookup.findStaticVarHandle(vtClass, "DEFAULT_SCHEDULER",
                java.util.concurrent.ForkJoinPool.class).get();

        // 2. Keep the JDK's sub-pollers off the custom carrier: initialise sun.nio.ch.Poller from a
        //    platform thread (Class.forName needs no export); its sub-poller virtual threads then get
        //    the default scheduler instead of inheriting the first blocking caller's.
        if (initPoller) {
            Class.forName("sun.nio.ch.Poller");
        }

        Carrier carrier = new Carrier();
        carrier.thread.start();
        Thread.Builder.OfVirtual builder = ((Thread.Builder.OfVirtual) ctor.newInstance(carrier)).name("spike-vt-", 0);

        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CountDownLatch done = new CountDownLatch(3);
            int port = server.getLocalPort();
            AtomicInteger otherRuns = new AtomicInteger();

            // A: blocking socket read through the JDK
            Thread reader = builder.unstarted(() -> {
                Thread me = Thread.currentThread();
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    System.out.println("A: " + me + " before read, carrier " + carrierOf(me).getName());
                    InputStream in = s.getInputStream();
                    long t0 = System.nanoTime();
                    int b = in.read(); // parks this virtual thread; the peer writes after 300 ms
                    System.out.printf("A: read %d after %.0f ms, resumed on carrier %s; other work ran meanwhile: %d%n",
                            b, (System.nanoTime() - t0) / 1e6, carrierOf(me).getName(), otherRuns.get());
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            });
            reader.start(); // execute() from main: "other platform thread main"

            // B: runs while A is parked in read; sleeps (timed park) and yields, unparks C
            Thread c = builder.unstarted(() -> {
                LockSupport.park();
                System.out.println("C: unparked, on carrier " + carrierOf(Thread.currentThread()).getName());
                done.countDown();
            });
            c.start();
            builder.start(() -> {
                try {
                    for (int i = 0; i < 5; i++) {
                        otherRuns.incrementAndGet();
                        Thread.sleep(20); // timed park: JDK's unparker thread resubmits
                        Thread.yield();   // resubmitted by the carrier itself after unmount
                    }
                    Thread.sleep(50);
                    LockSupport.unpark(c); // unpark from a virtual thread on the same carrier
                    // A child started from a custom-scheduled virtual thread inherits the scheduler.
                    Thread child = Thread.ofVirtual().unstarted(() -> { });
                    System.out.println("B: Thread.ofVirtual() child's scheduler is ours: "
                            + (SCHEDULER.get(child) == carrier));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });

            try (Socket peer = server.accept()) {
                Thread.sleep(300);
                OutputStream out = peer.getOutputStream();
                out.write(42);
                out.flush();
                done.await();
            }
        }

        System.out.println("execute() callers, by Thread.currentThread() inside execute():");
        carrier.callers.forEach((k, v) -> System.out.println("  " + v + " x " + k));

        // 3. Whose scheduler did the JDK's sub-pollers get? (needs --add-opens java.base/sun.nio.ch)
        try {
            Class<?> pollerClass = Class.forName("sun.nio.ch.Poller");
            @SuppressWarnings("unchecked")
            List<Object> readPollers = (List<Object>) pollerClass.getMethod("readPollers").invoke(null);
            Field owner = pollerClass.getDeclaredField("owner");
            owner.setAccessible(true);
            for (Object p : readPollers) {
                Thread t = (Thread) owner.get(p);
                String where = t == null ? "not started" : !t.isVirtual() ? "platform thread"
                        : SCHEDULER.get(t) == carrier ? "OUR CARRIER"
                        : SCHEDULER.get(t) == defaultScheduler ? "default scheduler" : "other";
                System.out.println("JDK read poller " + (t == null ? "-" : t.getName()) + ": " + where);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.out.println("poller check skipped: " + e);
        }
        carrier.stop = true;
        LockSupport.unpark(carrier.thread);
    }
}
