package dev.weft.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Plays one {@link Answer.Plan} on a connection of {@link MockUpstream}: writes its bytes straight to
 * the socket (unbuffered, so each write is one send), pausing, trickling, closing or resetting where
 * the plan says. Every wait ends early when the upstream closes ({@code closing}).
 */
final class Playback {

    private final Answer.Plan plan;
    private final Socket socket;
    private final OutputStream out;
    private final CountDownLatch closing;
    private boolean wroteAny;

    private Playback(Answer.Plan plan, Socket socket, CountDownLatch closing) throws IOException {
        this.plan = plan;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.closing = closing;
    }

    /**
     * Plays {@code plan}; {@code in} is the connection's buffered input, for an echo.
     *
     * @return whether the connection should go on to read the next request
     */
    static boolean play(Answer.Plan plan, Socket socket, InputStream in, CountDownLatch closing)
            throws IOException, InterruptedException {
        return new Playback(plan, socket, closing).run(in);
    }

    private boolean run(InputStream in) throws IOException, InterruptedException {
        byte[] bytes = plan.bytes();
        int written = 0;
        for (Answer.Step step : plan.steps()) {
            if (!write(bytes, written, step.at())) {
                return false;
            }
            written = step.at();
            switch (step.action()) {
                case PAUSE -> {
                    if (waitOrClosed(step.pause())) {
                        return false;
                    }
                }
                case STALL -> {
                    closing.await();
                    return false;
                }
                case CLOSE -> {
                    socket.close();
                    return false;
                }
                case RESET -> {
                    reset(socket);
                    return false;
                }
            }
        }
        if (!write(bytes, written, bytes.length)) {
            return false;
        }
        switch (plan.ending()) {
            case KEEP_ALIVE -> {
                return true;
            }
            case CLOSE -> socket.close();
            case RESET -> reset(socket);
            case STALL -> closing.await();
            case ECHO -> echo(in);
        }
        return false;
    }

    /** Writes {@code bytes[from, to)}, trickled if asked; false if the upstream closed meanwhile. */
    private boolean write(byte[] bytes, int from, int to) throws IOException, InterruptedException {
        int step = plan.trickleBytes() > 0 ? plan.trickleBytes() : Math.max(1, to - from);
        for (int i = from; i < to; i += step) {
            if (wroteAny && plan.trickleBytes() > 0 && waitOrClosed(plan.trickleDelay())) {
                return false;
            }
            out.write(bytes, i, Math.min(step, to - i));
            wroteAny = true;
        }
        return true;
    }

    /** Copies what the client sends back to it until it closes its side, then closes ours. */
    private void echo(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
        socket.shutdownOutput();
    }

    /** Waits {@code pause}; true if the upstream closed first. */
    private boolean waitOrClosed(Duration pause) throws InterruptedException {
        return closing.await(pause.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Closes with {@code SO_LINGER} 0: the kernel drops unsent bytes and sends RST instead of FIN. */
    static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }
}
