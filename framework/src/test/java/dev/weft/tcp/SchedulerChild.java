package dev.weft.tcp;

import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child-JVM half of {@link VirtualThreadAccessTest}: the probe runs once per JVM, so each flag
 * and mode is tried in a JVM of its own, in which the probe is the first thing that happens.
 *
 * <p>{@code probe}: prints {@code PROBE <available> <reason>}, or {@code THROWN <exception>} if the
 * probe refused. {@code pollers} (needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} too):
 * probes, then a virtual thread on a {@link Carrier} is the first in the JVM to read from a JDK
 * socket, and one line {@code POLLER <name> <where>} per JDK read and write poller says whose
 * scheduler it got ({@code default}, {@code carrier}, {@code platform} or {@code other}).
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
        if (args.length > 0 && args[0].equals("pollers")) {
            pollers();
        }
    }

    private static void pollers() throws Exception {
        try (Carrier carrier = Carrier.start(0);
                ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AtomicReference<String> read = new AtomicReference<>("nothing");
            Thread reader = carrier.threads().name("reader").start(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    InputStream in = s.getInputStream();
                    int b = in.read(); // parks in the JDK's poller until the peer writes
                    read.set(b + " on " + VirtualThreadAccess.carrierOf(Thread.currentThread()).getName());
                } catch (Exception e) {
                    read.set(e.toString());
                }
            });
            try (Socket peer = server.accept()) {
                // The reader parks in read(), inside the JDK's poller, until this writes.
                await().atMost(Duration.ofSeconds(10)).until(() -> reader.getState() == Thread.State.WAITING);
                OutputStream out = peer.getOutputStream();
                out.write(42);
                out.flush();
                reader.join(10_000);
            }
            System.out.println("READ " + read.get());
            Class<?> poller = Class.forName("sun.nio.ch.Poller");
            Field owner = poller.getDeclaredField("owner");
            owner.setAccessible(true);
            List<Object> all = new ArrayList<>();
            all.addAll((List<?>) poller.getMethod("readPollers").invoke(null));
            all.addAll((List<?>) poller.getMethod("writePollers").invoke(null));
            // A poller's owner is set when its thread starts its loop, soon after the class initializer.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                for (Object p : all) {
                    if (owner.get(p) == null) {
                        return false;
                    }
                }
                return true;
            });
            for (Object p : all) {
                Thread t = (Thread) owner.get(p);
                String where = t == null ? "unstarted"
                        : !t.isVirtual() ? "platform"
                        : VirtualThreadAccess.schedulerOf(t) == carrier.tasks() ? "carrier"
                        : VirtualThreadAccess.schedulerOf(t) == VirtualThreadAccess.defaultScheduler() ? "default"
                        : "other";
                System.out.println("POLLER " + (t == null ? "-" : t.getName()) + " " + where);
            }
        }
    }
}
