package dev.weft.examples.lb;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts configuration text into {@link Statement}s with nginx's lexical rules: words are separated
 * by spaces, tabs and line ends; a directive ends with {@code ;} or opens a block with <code>&#123;</code>;
 * <code>&#125;</code> closes a block; {@code #} at the start of a word comments out the rest of the line.
 * A word may be quoted with {@code "} or {@code '} (and may then hold spaces, {@code ;} and braces);
 * a quoted word must be followed by a space, {@code ;} or <code>&#123;</code>. A backslash keeps the next
 * character from ending a word; {@code \"}, {@code \'} and {@code \\} stand for the character,
 * {@code \t}, {@code \r} and {@code \n} for tab, CR and LF, and any other pair is kept as it is (so
 * {@code \$} is a backslash before a variable, as in nginx). Inside an unquoted word <code>&#125;</code> and
 * {@code #} are ordinary characters, and <code>&#123;</code> right after {@code $} is part of the word
 * ({@code ${name}}).
 *
 * <p>Bounded like everything else: a file holds at most {@link #MAX_FILE_BYTES}, a word at most
 * {@link #MAX_WORD_LENGTH} characters (nginx's parameter buffer). Not thread-safe; one per file.
 */
final class ConfigLexer {

    /** The largest configuration file read: 1 MiB, far more than a load balancer's needs. */
    static final int MAX_FILE_BYTES = 1024 * 1024;

    /** The longest word, quotes excluded: 4096 characters, nginx's {@code NGX_CONF_BUFFER}. */
    static final int MAX_WORD_LENGTH = 4096;

    private final String text;
    private final Path file;
    private int pos;
    private int line = 1;

    ConfigLexer(String text, Path file) throws ConfigException {
        if (text.length() > MAX_FILE_BYTES) {
            throw new ConfigException(tooLarge(), file, linesIn(text.substring(0, MAX_FILE_BYTES)), null);
        }
        this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
        this.file = file;
    }

    /**
     * Decodes a file's bytes as UTF-8, refusing malformed sequences and files over
     * {@link #MAX_FILE_BYTES} (the caller reads at most one byte more than that).
     */
    static String decode(byte[] bytes, Path file) throws ConfigException {
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ConfigException(tooLarge(), file, linesIn(bytes, MAX_FILE_BYTES), null);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        // Never overflows: UTF-8 yields at most one char per byte.
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new ConfigException("invalid UTF-8 byte sequence", file, linesIn(bytes, in.position()), null);
        }
        return out.flip().toString();
    }

    /**
     * The next directive of the current block, or null where the block ends: at its <code>&#125;</code>, or
     * for the file's top level ({@code inBlock} false) at the end of the file.
     */
    Statement next(boolean inBlock) throws ConfigException {
        List<String> words = new ArrayList<>();
        int first = line;
        while (true) {
            skipSpace();
            if (pos == text.length()) {
                if (!words.isEmpty()) {
                    throw error("unexpected end of file, expecting \";\" or \"}\"", lastLine(), words);
                }
                if (inBlock) {
                    throw error("unexpected end of file, expecting \"}\"", lastLine(), words);
                }
                return null;
            }
            char c = text.charAt(pos);
            if (c == ';' || c == '{') {
                if (words.isEmpty()) {
                    throw error("unexpected \"" + c + "\"", line, words);
                }
                pos++;
                return new Statement(file, words, c == ';' ? Statement.End.SEMICOLON : Statement.End.BLOCK_START,
                        first);
            }
            if (c == '}') {
                if (!words.isEmpty() || !inBlock) {
                    throw error("unexpected \"}\"", line, words);
                }
                pos++;
                return null;
            }
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
                continue;
            }
            if (words.isEmpty()) {
                first = line;
            }
            words.add(c == '"' || c == '\'' ? quoted(c, words) : bare(words));
        }
    }

    /** The line of the file's last character: where nginx says the file ended. */
    int lastLine() {
        return text.endsWith("\n") && line > 1 ? line - 1 : line;
    }

    private String quoted(char quote, List<String> words) throws ConfigException {
        int startLine = line;
        int start = ++pos;
        while (true) {
            if (pos == text.length()) {
                throw error("unexpected end of file, expecting \";\" or \"}\"", lastLine(), words);
            }
            if (pos - start > MAX_WORD_LENGTH) {
                throw error("too long parameter, probably missing terminating \"" + quote + "\" character",
                        startLine, words);
            }
            char c = text.charAt(pos);
            if (c == '\\') {
                skipEscaped();
                continue;
            }
            if (c == '\n') {
                line++;
            }
            if (c == quote) {
                String raw = text.substring(start, pos);
                pos++;
                if (pos < text.length() && !endsWord(text.charAt(pos))) {
                    throw error("unexpected \"" + text.charAt(pos) + "\"", line, words);
                }
                return unescape(raw);
            }
            pos++;
        }
    }

    private String bare(List<String> words) throws ConfigException {
        int startLine = line;
        int start = pos;
        boolean variable = false;
        while (pos < text.length()) {
            if (pos - start > MAX_WORD_LENGTH) {
                throw error("too long parameter \"" + text.substring(start, start + 10) + "...\" started",
                        startLine, words);
            }
            char c = text.charAt(pos);
            if (c == '\\') {
                skipEscaped();
                variable = false;
                continue;
            }
            if (c == '{' && variable) {
                pos++;
                continue;
            }
            variable = c == '$';
            if (endsWord(c)) {
                break;
            }
            pos++;
        }
        return unescape(text.substring(start, pos));
    }

    private static boolean endsWord(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '{';
    }

    private void skipEscaped() {
        pos++;
        if (pos < text.length()) {
            if (text.charAt(pos) == '\n') {
                line++;
            }
            pos++;
        }
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** nginx's escapes: three characters stand for themselves, three for controls, the rest stay. */
    static String unescape(String raw) {
        if (raw.indexOf('\\') < 0) {
            return raw;
        }
        StringBuilder b = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length()) {
                char n = raw.charAt(i + 1);
                switch (n) {
                    case '"', '\'', '\\' -> {
                        b.append(n);
                        i++;
                        continue;
                    }
                    case 't' -> {
                        b.append('\t');
                        i++;
                        continue;
                    }
                    case 'r' -> {
                        b.append('\r');
                        i++;
                        continue;
                    }
                    case 'n' -> {
                        b.append('\n');
                        i++;
                        continue;
                    }
                    default -> {
                        // kept as written, backslash included
                    }
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    private ConfigException error(String reason, int at, List<String> words) {
        return new ConfigException(reason, file, at, words.isEmpty() ? null : words.get(0));
    }

    private static String tooLarge() {
        return "configuration file is larger than " + MAX_FILE_BYTES + " bytes";
    }

    private static int linesIn(String s) {
        return (int) s.chars().filter(c -> c == '\n').count() + 1;
    }

    private static int linesIn(byte[] bytes, int upTo) {
        int n = 1;
        for (int i = 0; i < upTo && i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                n++;
            }
        }
        return n;
    }
}
