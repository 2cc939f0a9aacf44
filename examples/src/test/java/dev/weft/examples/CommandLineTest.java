package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * The examples' command line as {@code ./weft} runs it: bad input is one line on stderr and exit 2,
 * a failure while running one line and exit 1, never a stack trace; help comes from the declarations.
 */
class CommandLineTest {

    /** One line, ending in a newline, with no trace of a stack in it. */
    private static void assertOneLine(CliRun r) {
        assertTrue(r.err().endsWith("\n") && r.err().indexOf('\n') == r.err().length() - 1, r.toString());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.toString());
    }

    @Test
    void anUnknownFlagIsAUsageError() {
        CliRun r = CliRun.of("echo", "--prot", "9000");
        assertEquals(2, r.exit(), r.toString());
        assertOneLine(r);
        assertTrue(r.err().startsWith("weft echo: unknown option '--prot'"), r.toString());
        assertTrue(r.err().contains("did you mean --port"), r.toString());
        assertTrue(r.err().endsWith("(./weft echo --help lists its options)\n"), r.toString());
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        CliRun r = CliRun.of("ecoh");
        assertEquals(2, r.exit(), r.toString());
        assertOneLine(r);
        assertTrue(r.err().startsWith("weft: unknown command 'ecoh'; did you mean echo"), r.toString());
        assertTrue(r.err().endsWith("(./weft help lists the commands)\n"), r.toString());
        assertEquals(2, CliRun.of().exit(), "no command at all");
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo", "http", "tcp-proxy"})
    void aPortOutOfRangeIsAUsageError(String command) {
        CliRun r = command.equals("tcp-proxy")
                ? CliRun.of(command, "--upstream", "127.0.0.1:1", "--port", "80808")
                : CliRun.of(command, "--port", "80808");
        assertEquals(2, r.exit(), r.toString());
        assertOneLine(r);
        assertEquals("weft " + command + ": invalid value for option '--port': port must be 0..65535, got 80808 (./weft "
                + command + " --help lists its options)\n", r.err());
    }

    @Test
    void valuesThatDoNotConvertSayWhatWasExpected() {
        CliRun notNumber = CliRun.of("echo", "--max-connections", "many");
        assertEquals(2, notNumber.exit(), notNumber.toString());
        assertTrue(notNumber.err().contains("'many' is not a number"), notNumber.toString());
        CliRun zero = CliRun.of("tcping", "127.0.0.1:1", "-c", "0");
        assertEquals(2, zero.exit(), zero.toString());
        assertTrue(zero.err().contains("invalid value for option '--count': must be 1 or more, got 0"), zero.toString());
        CliRun duration = CliRun.of("tcping", "127.0.0.1:1", "-i", "5x");
        assertEquals(2, duration.exit(), duration.toString());
        assertTrue(duration.err().contains("'5x' is not a duration like 200ms, 1s, 2m or 1h"), duration.toString());
        CliRun missingValue = CliRun.of("http", "--port");
        assertEquals(2, missingValue.exit(), missingValue.toString());
        assertOneLine(missingValue);
    }

    @Test
    void anUnknownHostIsARunTimeFailure() {
        CliRun r = CliRun.of("tcping", "nohost.invalid:80", "-c", "1");
        assertEquals(1, r.exit(), r.toString());
        assertOneLine(r);
        assertTrue(r.err().startsWith("weft tcping: unknown host nohost.invalid"), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo", "http"})
    void aBusyPortIsARunTimeFailure(String command) throws IOException {
        try (ServerSocket busy = new ServerSocket(0)) { // the wildcard address, where the servers listen
            CliRun r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> CliRun.of(command, "--port", Integer.toString(busy.getLocalPort())),
                    "the server started on a port that was in use");
            assertEquals(1, r.exit(), r.toString());
            assertOneLine(r);
            assertTrue(r.err().startsWith("weft " + command + ": cannot listen on "), r.toString());
            assertTrue(r.err().contains(":" + busy.getLocalPort() + ": Address already in use"), r.toString());
        }
    }

    @Test
    void helpOfASubcommandComesFromItsDeclarations() {
        CliRun r = CliRun.of("echo", "--help");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("Usage: ./weft echo [-h] [--raw] [--max-connections=N] [--port=PORT]"), r.out());
        assertTrue(r.out().contains("The case study's echo server"), r.out());
        assertTrue(r.out().matches("(?s).*--port=PORT\\s+Port to listen on, 0 for a free one \\(default: 8888\\)\\..*"), r.out());
        assertTrue(r.out().contains("(default: 10000)"), r.out());
        assertEquals(r.out(), CliRun.of("help", "echo").out(), "./weft help echo is the same text");
    }

    @Test
    void theTopLevelUsageListsEverySubcommand() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("Usage: ./weft [-h] COMMAND"), r.out());
        for (String name : Main.commandLine().getSubcommands().keySet()) {
            assertTrue(r.out().matches("(?s).*\\n  " + name + " +\\S.*"), name + " missing in\n" + r.out());
        }
        assertEquals(List.of("echo", "http", "tcpstat", "tcping", "timewait-demo", "tcp-proxy", "lb", "lb-demo", "proxy", "proxy-passwd", "help"),
                List.copyOf(Main.commandLine().getSubcommands().keySet()));
        assertEquals(r.out(), CliRun.of("help").out());
    }

    @Test
    void durationsAreNumbersWithAUnitOrIso() {
        CliTypes.DurationConverter d = new CliTypes.DurationConverter();
        assertEquals(Duration.ofMillis(200), d.convert("200ms"));
        assertEquals(Duration.ofSeconds(1), d.convert("1s"));
        assertEquals(Duration.ofMinutes(10), d.convert("10m"));
        assertEquals(Duration.ofHours(1), d.convert("1h"));
        assertEquals(Duration.ofMillis(1500), d.convert("PT1.5S"));
        for (String bad : List.of("0s", "5", "-1s", "1 s", "", "PT0S")) {
            assertThrows(TypeConversionException.class, () -> d.convert(bad), bad);
        }
    }

    /** The real entry point in a JVM of its own: System.exit's status and the process's stderr. */
    @Test
    void theMainClassExitsWithTheStatusAndNoStackTrace() throws Exception {
        Process p = java("http", "--port", "80808");
        assertEquals("weft http: invalid value for option '--port': port must be 0..65535, got 80808"
                + " (./weft http --help lists its options)\n", stderr(p));
        assertEquals(2, p.exitValue());

        Process unknown = java("tcping", "nohost.invalid:80");
        String err = stderr(unknown);
        assertTrue(err.startsWith("weft tcping: unknown host nohost.invalid") && err.indexOf('\n') == err.length() - 1, err);
        assertEquals(1, unknown.exitValue());
    }

    private static Process java(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String stderr(Process p) throws Exception {
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running after 30 s; stderr: " + err);
        }
        return err;
    }

    @Test
    void everySubcommandHasADescriptionAndHelp() {
        CommandLine cli = Main.commandLine();
        cli.getSubcommands().forEach((name, sub) -> {
            assertTrue(sub.getCommandSpec().usageMessage().description().length > 0, name);
            assertTrue(sub.getCommandSpec().optionsMap().containsKey("--help"), name + " has no --help");
        });
    }

    @Test
    void aBadConfigurationIsOneSentenceNamingFileAndLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path conf = dir.resolve("bad.conf");
        java.nio.file.Files.writeString(conf, "upstream u { server 127.0.0.1:1; }\nserver {\n    listen 127.0.0.1:1;\n"
                + "    location / { proxy_pass http://u; proxy_buffering off; }\n}\n");
        CliRun r = CliRun.of("lb", "--config", conf.toString());
        assertEquals(1, r.exit());
        assertOneLine(r);
        assertEquals("weft lb: unknown directive \"proxy_buffering\" in " + conf + ":4", r.err().strip());

        CliRun missing = CliRun.of("lb", "--config", dir.resolve("none.conf").toString());
        assertEquals(2, missing.exit());
        assertOneLine(missing);
    }

    @Test
    void proxyRangesThatAreNotAddressesAreUsageErrors() {
        CliRun r = CliRun.of("proxy", "--port", "0", "--allow", "intranet.example/8");
        assertEquals(2, r.exit(), r.toString());
        assertOneLine(r);
        assertTrue(r.err().startsWith("weft proxy: --allow: not an address range: intranet.example/8"), r.toString());
        assertEquals(2, CliRun.of("proxy", "--connect-ports", "443,70000").exit());
    }
}
