package dev.weft.examples.lb;

import java.nio.file.Path;
import java.util.List;

/**
 * One directive as {@link ConfigLexer} read it: its words (the name first, quotes and escapes
 * already resolved), how it ended, and the line its first word is on.
 *
 * @param file  the file, for error messages
 * @param words the name and the arguments
 * @param end   {@link End#SEMICOLON} for {@code name args;}, {@link End#BLOCK_START} for
 *              <code>name args &#123;</code>
 * @param line  the line of the name
 */
record Statement(Path file, List<String> words, End end, int line) {

    /** What closed a directive. */
    enum End { SEMICOLON, BLOCK_START }

    Statement {
        words = List.copyOf(words);
    }

    String name() {
        return words.get(0);
    }

    /** The i-th argument, from 1. */
    String arg(int i) {
        return words.get(i);
    }

    int argCount() {
        return words.size() - 1;
    }

    /** The arguments, without the name. */
    List<String> args() {
        return words.subList(1, words.size());
    }

    boolean isBlock() {
        return end == End.BLOCK_START;
    }

    /** An error about this directive, at its line. */
    ConfigException error(String reason) {
        return new ConfigException(reason, file, line, name());
    }

    /** {@code invalid value "V" in "NAME" directive}, nginx's wording for a value it cannot read. */
    ConfigException invalidValue(String value) {
        return error("invalid value \"" + value + "\" in \"" + name() + "\" directive");
    }

    /** {@code "NAME" directive is duplicate}. */
    ConfigException duplicate() {
        return error("\"" + name() + "\" directive is duplicate");
    }

    /** {@code invalid parameter "P"}. */
    ConfigException invalidParameter(String parameter) {
        return error("invalid parameter \"" + parameter + "\"");
    }
}
