package dev.weft.examples.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** nginx's lexical rules, statement by statement. */
class ConfigLexerTest {

    private static final Path FILE = Path.of("lb.conf");

    /** Every top-level statement's words, with its end and line, as "line:END:word|word". */
    private static List<String> read(String text) throws ConfigException {
        ConfigLexer lexer = new ConfigLexer(text, FILE);
        List<String> out = new ArrayList<>();
        for (Statement st; (st = lexer.next(false)) != null; ) {
            out.add(st.line() + ":" + st.end() + ":" + String.join("|", st.words()));
            if (st.isBlock()) {
                for (Statement in; (in = lexer.next(true)) != null; ) {
                    out.add(in.line() + ":" + in.end() + ":" + String.join("|", in.words()));
                }
                out.add("}");
            }
        }
        return out;
    }

    @Test
    void wordsAreSplitBySpaceAndDirectivesEndWithSemicolonOrBrace() throws Exception {
        assertEquals(List.of("1:SEMICOLON:a|b|c", "2:BLOCK_START:d|e", "2:SEMICOLON:f", "}"),
                read("a  b\tc;\nd e{f;}"));
    }

    @Test
    void quotesHoldSpacesSemicolonsAndBraces() throws Exception {
        assertEquals(List.of("1:SEMICOLON:x|a b;c{d}|it's|"), read("x \"a b;c{d}\" 'it\\'s' \"\";"));
    }

    @Test
    void escapesFollowNginx() throws Exception {
        assertEquals(List.of("1:SEMICOLON:x|q\"|s'|b\\|t\tr\rn\n|\\$host|a\\ b|\\z"),
                read("x \"q\\\"\" 's\\'' 'b\\\\' \"t\\tr\\rn\\n\" \\$host a\\ b \\z;"));
    }

    @Test
    void aHashStartsACommentOnlyAtTheStartOfAWord() throws Exception {
        assertEquals(List.of("2:SEMICOLON:a|b#c|d"), read("# a comment; {\na b#c # another\n d;"));
    }

    @Test
    void aClosingBraceInsideAnUnquotedWordIsPartOfIt() throws Exception {
        assertEquals(List.of("1:SEMICOLON:return|200|ok}"), read("return 200 ok};"));
    }

    @Test
    void aBraceRightAfterADollarBelongsToTheWord() throws Exception {
        assertEquals(List.of("1:SEMICOLON:x|${host}.example|a${b}c"), read("x ${host}.example a${b}c;"));
        assertEquals(List.of("1:BLOCK_START:x|$a", "1:SEMICOLON:y", "}"), read("x $a{ y; }"));
    }

    @Test
    void aStatementHasTheLineOfItsFirstWord() throws Exception {
        assertEquals(List.of("2:SEMICOLON:a|one\ntwo|b", "6:SEMICOLON:c"), read("\na \"one\ntwo\"\n b;\n\nc;"));
    }

    @Test
    void theLastLineIsTheLineOfTheLastCharacter() throws Exception {
        ConfigLexer withNewline = new ConfigLexer("a;\nb;\n", FILE);
        while (withNewline.next(false) != null) {
            // read to the end
        }
        assertEquals(2, withNewline.lastLine());
        ConfigLexer without = new ConfigLexer("a;\nb;", FILE);
        while (without.next(false) != null) {
            // read to the end
        }
        assertEquals(2, without.lastLine());
    }

    @Test
    void aQuotedWordMustBeFollowedBySpaceOrAnEnd() throws Exception {
        assertEquals(List.of("1:SEMICOLON:a|b", "1:BLOCK_START:c", "}"), read("a \"b\";c\"\"{}".replace("c\"\"", "c")));
        ConfigException e = assertThrows(ConfigException.class, () -> read("a \"b\"\"c\";"));
        assertEquals("unexpected \"\"\" in lb.conf:1", e.getMessage());
        assertEquals("a", e.directive());
    }

    @Test
    void aByteOrderMarkIsSkipped() throws Exception {
        assertEquals(List.of("1:SEMICOLON:a"), read("\uFEFFa;"));
    }

    @Test
    void decodingRefusesMalformedUtf8AtItsLine() throws Exception {
        byte[] good = "a;\n# 注释\nb;".getBytes(StandardCharsets.UTF_8);
        assertEquals("a;\n# 注释\nb;", ConfigLexer.decode(good, FILE));
        byte[] bad = "a;\nb;\n# \u00ff\n".getBytes(StandardCharsets.ISO_8859_1);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLexer.decode(bad, FILE));
        assertEquals("invalid UTF-8 byte sequence in lb.conf:3", e.getMessage());
        assertNull(e.directive());
    }

    @Test
    void aFileOverOneMebibyteIsRefused() {
        byte[] big = new byte[ConfigLexer.MAX_FILE_BYTES + 1];
        java.util.Arrays.fill(big, (byte) '\n');
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLexer.decode(big, FILE));
        assertEquals("configuration file is larger than 1048576 bytes in lb.conf:1048577", e.getMessage());
        String text = "#" + "x".repeat(ConfigLexer.MAX_FILE_BYTES);
        assertEquals("configuration file is larger than 1048576 bytes in lb.conf:1",
                assertThrows(ConfigException.class, () -> LbConfig.parse(text, "lb.conf")).getMessage());
    }

    @Test
    void aWordOfExactlyTheLimitIsRead() throws Exception {
        String word = "w".repeat(ConfigLexer.MAX_WORD_LENGTH);
        assertEquals(List.of("1:SEMICOLON:x|" + word), read("x " + word + ";"));
        assertEquals(List.of("1:SEMICOLON:x|" + word), read("x \"" + word + "\";"));
        assertThrows(ConfigException.class, () -> read("x " + word + "w;"));
        assertThrows(ConfigException.class, () -> read("x \"" + word + "w\";"));
    }
}
