package dev.weft.bench.proc;

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
 * A main class running in a child JVM on this JVM's own {@code java} and class path, spoken to in
 * lines: {@link #send(String)} writes to its standard input, {@link #next(long)} returns what it
 * printed, its standard error goes to a log file. {@link #close()} ends it for sure, and so does
 * this JVM's exit. Used from one thread.
 */
public final class ChildJvm implements AutoCloseable {

    private static final String END = new String("(end of output)");
    private static final long EXIT_WAIT_SECONDS = 5;

    private final String name;
    private final Process process;
    private final Path log;
    private final List<String> jvmFlags;
    /** Destroys the child if this JVM is stopped (Ctrl-C) before {@link #close()} ran. */
    private final Thread killOnExit;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(String name, Process process, Path log, List<String> jvmFlags) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.jvmFlags = jvmFlags;
        this.killOnExit = new Thread(process::destroyForcibly, name + "-killer");
        Runtime.getRuntime().addShutdownHook(killOnExit);
        Thread.ofPlatform().daemon().name(name + "-output").start(this::readOutput);
    }

    /** Starts {@code mainClass} with {@code args}; {@code name} names it in errors, standard error goes to {@code log}. */
    public static ChildJvm start(String name, List<String> jvmFlags, Class<?> mainClass, List<String> args, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Jdk.java().toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        return new ChildJvm(name, process, log, List.copyOf(jvmFlags));
    }

    /**
     * The next line the child printed, or {@code null} if none came before {@code deadlineNanos}
     * (a {@link System#nanoTime()} value).
     *
     * @throws ChildFailure if the child has closed its output (exited)
     */
    public String next(long deadlineNanos) throws InterruptedException {
        String line = lines.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == END) {
            lines.add(END); // later calls see the end too
            String status = process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)
                    ? "with status " + process.exitValue() : "its output";
            throw new ChildFailure("the " + name + " closed " + status + " early; see " + log);
        }
        return line;
    }

    /** Writes one line to the child's standard input. */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public List<String> jvmFlags() {
        return jvmFlags;
    }

    /**
     * Closes the child's standard input (the children here exit on that), then destroys it if it
     * lingers. Waits at most a few seconds; if interrupted, kills it at once.
     */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or will run: it destroys the child.
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
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("(reading the " + name + "'s output failed: " + e + ")");
        } finally {
            lines.add(END);
        }
    }

    /** A child process ended or broke the protocol; the message says which and where its log is. */
    public static final class ChildFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ChildFailure(String message) {
            super(message);
        }
    }
}
