package dev.weft.examples;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs {@link Main}'s command line in this JVM, as {@code ./weft ARGS} would, and keeps what picocli
 * printed: its usage and help on {@code out}, the one-line errors on {@code err}. (A command's own
 * report still goes to {@code System.out}.)
 */
record CliRun(int exit, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    /** What was printed on stderr, for assertion messages. */
    @Override
    public String toString() {
        return "exit " + exit + ", stderr: " + err + ", stdout: " + out;
    }
}
