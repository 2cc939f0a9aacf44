package dev.weft.bench.demo;

import java.io.Console;
import java.io.PrintStream;

/**
 * Shows how far a count has got: on a terminal one line redrawn with {@code \r} (at most ten times
 * a second), otherwise a plain line at every tenth of the way, so logs stay short. Used from one
 * thread.
 */
final class ProgressBar {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int STEPS = 10;

    private final String label;
    private final int total;
    private final PrintStream out;
    private final boolean terminal;
    private long lastDraw;
    private int lastStep = -1;
    private int lastLength;
    private String lastLine = "";

    ProgressBar(String label, int total, PrintStream out, boolean terminal) {
        this.label = label;
        this.total = Math.max(1, total);
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

    /** Reports {@code done} of the total, with a short note after the bar. */
    void update(int done, String note) {
        if (terminal) {
            long now = System.nanoTime();
            if (now - lastDraw >= REDRAW_NANOS) {
                lastDraw = now;
                draw(done, note);
            }
        } else {
            int step = (int) ((long) Math.min(done, total) * STEPS / total);
            if (step > lastStep) {
                lastStep = step;
                println(text(done, note));
            }
        }
    }

    /** Draws the final state and ends the line. */
    void finish(int done, String note) {
        if (terminal) {
            draw(done, note);
            out.println();
        } else {
            println(text(done, note));
        }
    }

    /** Prints a line unless it repeats the last one. */
    private void println(String line) {
        if (!line.equals(lastLine)) {
            lastLine = line;
            out.println(line);
        }
    }

    private void draw(int done, String note) {
        String line = text(done, note);
        int pad = Math.max(0, lastLength - line.length());
        lastLength = line.length();
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
    }

    private String text(int done, String note) {
        int filled = (int) ((long) Math.min(done, total) * WIDTH / total);
        return String.format("  %s [%s%s] %3d%%  %,d/%,d  %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                (long) Math.min(done, total) * 100 / total, done, total, note);
    }
}
