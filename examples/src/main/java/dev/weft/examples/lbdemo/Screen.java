package dev.weft.examples.lbdemo;

import java.io.Console;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * The demo's output: a status line kept up to date, and timestamped event lines above it. On a
 * terminal the status line is redrawn in place ({@code \r}) at every {@link #status} call; otherwise
 * (a pipe, a file, a test) it is printed as a line of its own once a second at most, so logs stay
 * short. Times are since the demo started, as {@code mm:ss.d}. Used from one thread.
 */
final class Screen {

    /** A second, less a little: the demo's 200 ms ticks come a hair late, and a line every 1.2 s would look odd. */
    private static final long LINE_EVERY_NANOS = 950_000_000L;

    private final PrintWriter out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastLine;
    private boolean anyLine;
    private int drawn; // length of the status line on the terminal now, 0 if none

    Screen(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /**
     * Whether standard output is an interactive terminal. From JDK 22 {@link System#console()} may
     * return a console for redirected streams too, so {@code Console.isTerminal()} is asked where it
     * exists (looked up by name: this code compiles for Java 21).
     */
    static boolean stdoutIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a non-null console is a terminal
        }
    }

    /** Time since the demo started. */
    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Whether a {@link #status} line would be shown now: always on a terminal, else once a second. */
    boolean statusDue() {
        return terminal || !anyLine || System.nanoTime() - lastLine >= LINE_EVERY_NANOS;
    }

    /** Shows {@code text}, after the time, as the status line. */
    void status(String text) {
        String line = clock(elapsed()) + "  " + text;
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
            drawn = line.length();
            out.flush();
        } else {
            lastLine = System.nanoTime();
            anyLine = true;
            out.println(line);
            out.flush();
        }
    }

    /** Prints {@code text}, after the time, as a line of its own above the status line. */
    void event(String text) {
        String line = clock(elapsed()) + "  " + text;
        if (terminal && drawn > 0) {
            out.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())) + System.lineSeparator());
            drawn = 0;
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the status line on a terminal, so that what follows starts on a line of its own. */
    void endStatus() {
        if (terminal && drawn > 0) {
            out.println();
            drawn = 0;
        }
        out.flush();
    }

    /** {@code d} as minutes, seconds and tenths: {@code 01:05.3}. */
    static String clock(Duration d) {
        long tenths = d.toMillis() / 100;
        return String.format(Locale.ROOT, "%02d:%02d.%d", tenths / 600, tenths / 10 % 60, tenths % 10);
    }

    /** {@code d} as nginx writes it where it can: {@code 10s}, {@code 500ms}. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
