package dev.weft.tcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client half of {@link TenThousandConnectionsTest}, run in its own JVM because one process
 * may not hold both ends of 10,000 connections (20,000 open files is the per-process cap here).
 *
 * <p>Arguments: {@code port count}. It opens {@code count} connections to 127.0.0.1 (at most 256
 * connects in flight), has each echo a message naming it, and prints {@code HELD <ok> <errors>}
 * with every connection still open. On the line {@code ROUND} from standard input, every
 * connection echoes a second message, the client prints {@code ECHOED <ok> <errors>}, closes all
 * and exits. It gives up by itself after two minutes.
 */
public final class C10kClient {

    private static final int CONNECTS_IN_FLIGHT = 256;
    private static final int TIMEOUT_MILLIS = 30_000;

    private C10kClient() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        new Timer("give-up", true).schedule(new TimerTask() {
            @Override
            public void run() {
                System.err.println("C10kClient: gave up after two minutes");
                System.exit(3);
            }
        }, TimeUnit.MINUTES.toMillis(2));
        Socket[] sockets = new Socket[count];
        Semaphore connects = new Semaphore(CONNECTS_IN_FLIGHT);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int id = i;
                connects.acquire();
                threads.submit(() -> {
                    try {
                        sockets[id] = connect(port);
                    } catch (IOException e) {
                        errors.incrementAndGet();
                        report("connect", id, e);
                        return;
                    } finally {
                        connects.release();
                    }
                    exchange(sockets[id], "first " + id + "\n", ok, errors);
                });
            }
        }
        System.out.println("HELD " + ok.get() + " " + errors.get());

        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        if (!"ROUND".equals(commands.readLine())) {
            System.exit(2);
        }
        ok.set(0);
        errors.set(0);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                Socket socket = sockets[i];
                if (socket != null) {
                    String message = "second " + i + " " + "x".repeat(i % 100) + "\n";
                    threads.submit(() -> exchange(socket, message, ok, errors));
                }
            }
        }
        for (Socket socket : sockets) {
            if (socket != null) {
                socket.close();
            }
        }
        System.out.println("ECHOED " + ok.get() + " " + errors.get());
        System.exit(0);
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code message} and counts whether exactly it came back. */
    private static void exchange(Socket socket, String message, AtomicInteger ok, AtomicInteger errors) {
        byte[] sent = message.getBytes(StandardCharsets.US_ASCII);
        try {
            socket.getOutputStream().write(sent);
            byte[] echoed = socket.getInputStream().readNBytes(sent.length);
            if (Arrays.equals(sent, echoed)) {
                ok.incrementAndGet();
                return;
            }
            System.err.println("C10kClient: sent " + message.trim() + ", got "
                    + new String(echoed, StandardCharsets.US_ASCII).trim());
        } catch (IOException e) {
            report("echo", -1, e);
        }
        errors.incrementAndGet();
    }

    private static void report(String what, int id, IOException e) {
        System.err.println("C10kClient: " + what + " " + id + " failed: " + e);
    }
}
