package dev.weft.examples.lb;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A configuration file {@link LbConfig} refuses, with one sentence in nginx's words that ends, like
 * nginx's own {@code [emerg]} lines, with the file and line: {@code unknown directive "foo" in
 * lb.conf:12}. The parts are there too: {@link #reason()}, {@link #file()}, {@link #line()} and
 * {@link #directive()}.
 *
 * <p>Checked, on purpose: a wrong file is an expected outcome of reading what a user wrote, which
 * the caller has to turn into a message and an exit status ({@code ./weft lb} prints
 * {@link #getMessage()} and stops), not a programming error to let fly. The file is read once, at
 * startup, outside any lambda, so the checked type costs nothing there. I/O failures stay
 * {@link java.io.IOException}s.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String directive;
    private final String reason;

    ConfigException(String reason, Path file, int line, String directive) {
        super(Objects.requireNonNull(reason, "reason") + " in " + file + ":" + line);
        this.reason = reason;
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
        this.directive = directive;
    }

    /** The sentence without its {@code in FILE:LINE} ending. */
    public String reason() {
        return reason;
    }

    /** The file, as it was named to {@link LbConfig#read} or {@link LbConfig#parse}. */
    public Path file() {
        return file;
    }

    /** The line, counted from 1, where the directive at fault starts (or the stray character is). */
    public int line() {
        return line;
    }

    /**
     * The name of the directive at fault ({@code "listen"}), or null where the fault is not inside
     * one (a stray {@code "}"}, an unfinished file, a file too large).
     */
    public String directive() {
        return directive;
    }
}
