package dev.weft.bench.demo;

import dev.weft.bench.load.ClientProtocol;
import dev.weft.bench.load.EchoLoadClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The {@link EchoLoadClient} running as a child process on this JVM's own {@code java} and class
 * path (10,000 connections need an open-file budget of their own). Its output lines arrive through
 * {@link #next(long)}; its standard error goes to a log file. {@link #close()} ends it for sure.
 * Used from one thread.
 */
final class ClientProcess implements AutoCloseable {

    /**
     * The client's JVM: the serial collector leaves both cores to the measured work, and a fixed
     * heap sized for 10,000 sockets avoids resizing during the run.
     */
    static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms256m", "-Xmx1g");

    private static final ClientProtocol.Line END = new ClientProtocol.Other("(end of the client's output)");
    private static final long EXIT_WAIT_SECONDS = 5;

    private final Process process;
    private final Path log;
    /** Destroys the client if this JVM is stopped (Ctrl-C) before {@link #close()} ran. */
    private final Thread killOnExit;
    private final BlockingQueue<ClientProtocol.Line> lines = new LinkedBlockingQueue<>();

    private ClientProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.killOnExit = new Thread(process::destroyForcibly, "client-killer");
        Runtime.getRuntime().addShutdownHook(killOnExit);
        Thread.ofPlatform().daemon().name("client-output").start(this::readOutput);
    }

    /** Starts the client against {@code port}; its standard error goes to {@code log}. */
    static ClientProcess start(int port, DemoOptions options, long rampTimeoutSeconds, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Jdk.java().toString());
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EchoLoadClient.class.getName(),
                "--port", String.valueOf(port),
                "--connections", String.valueOf(options.connections()),
                "--duration", String.valueOf(options.duration()),
                "--payload", String.valueOf(options.payload()),
                "--ramp-timeout", String.valueOf(rampTimeoutSeconds)));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        return new ClientProcess(process, log);
    }

    /**
     * The next line from the client, or {@code null} if none came before {@code deadlineNanos}
     * (a {@link System#nanoTime()} value).
     *
     * @throws DemoFailure if the client has exited
     */
    ClientProtocol.Line next(long deadlineNanos) throws InterruptedException {
        ClientProtocol.Line line = lines.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == END) {
            lines.add(END); // later calls see the end too
            String status = process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)
                    ? "with status " + process.exitValue() : "its output";
            throw new DemoFailure("the load client closed " + status + " early; see " + log);
        }
        return line;
    }

    /** Starts the ping-pong phase. */
    void go() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((ClientProtocol.GO + "\n").getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    Path log() {
        return log;
    }

    /** The JVM flags the client was started with. */
    List<String> jvmFlags() {
        return JVM_FLAGS;
    }

    /**
     * Closes the client's input (a client still waiting for GO exits), then destroys it if it
     * lingers. Waits at most a few seconds; if interrupted, kills it at once.
     */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or will run: it destroys the client.
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // The pipe is already gone: the process has ended or is ending.
        }
        try {
            if (process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                return;
            }
            process.destroy();
            if (process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }

    private void readOutput() {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(ClientProtocol.parse(line));
            }
        } catch (IOException e) {
            lines.add(new ClientProtocol.Other("(reading the client's output failed: " + e + ")"));
        } finally {
            lines.add(END);
        }
    }
}
