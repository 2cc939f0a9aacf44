package dev.weft.examples;

import dev.weft.examples.lbdemo.LbDemo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import dev.weft.examples.lb.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * One entry point for the examples, {@code Main <command> [options]}, as {@code ./weft <command>} runs
 * it: the top-level picocli command. Every subcommand's options, defaults and {@code --help} come from
 * its own {@code @Command} class; this class only lists them and turns errors into one line on stderr.
 *
 * <p>Exit status: what the subcommand returns (0 when it did its job); 2 for a wrong command line (an
 * unknown command or option, a value that does not convert, such as a port out of range); 1 when the
 * command failed at run time (a port already in use, an unknown host). Never a stack trace, unless
 * {@code WEFT_STACKTRACE=1} is set.
 */
@Command(name = "./weft",
        synopsisSubcommandLabel = "COMMAND",
        description = "Weft's example servers and tools. `./weft COMMAND --help` shows a command's options.",
        commandListHeading = "%nCommands:%n",
        // To add a subcommand (lb, lb-demo, proxy, ...): write one class with @Command(name = "your-thing",
        // description = ...) that implements Callable<Integer> and declares its flags as @Option / @Parameters
        // fields (EchoServer is the pattern; the types in CliTypes convert durations, ports and host:port), then
        // add YourThing.class to this list, before HelpCommand. Parsing, -h/--help (added in commandLine()),
        // ./weft help and the one-line errors all come from those declarations; ./weft needs no change.
        subcommands = {
            EchoServer.class,
            HttpExample.class,
            TcpStat.class,
            TcPing.class,
            TimeWaitDemo.class,
            TcpProxyExample.class,
            LbCommand.class,
            LbDemo.class,
            ProxyCommand.class,
            ProxyPasswd.class,
            HelpCommand.class,
        })
public final class Main implements Callable<Integer> {

    /** Set to anything to print the stack trace of a run-time failure after its one-line message. */
    static final String STACKTRACE_ENV = "WEFT_STACKTRACE";

    private static final String HELP_DESCRIPTION = "Shows this help and exits.";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = HELP_DESCRIPTION)
    boolean help;

    @Spec
    CommandSpec spec;

    /** No command given. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "no command given");
    }

    /** The command line of every example, with the converters and error handlers; one per run. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        for (CommandLine sub : cli.getSubcommands().values()) { // -h, --help for each (`help` has its own)
            CommandSpec spec = sub.getCommandSpec();
            if (!spec.optionsMap().containsKey("--help")) {
                spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description(HELP_DESCRIPTION).build());
            }
        }
        CliTypes.register(cli);
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler(Main::failure);
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** A wrong command line: one line on stderr, saying what was wrong and where help is; exit 2. */
    static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        boolean topLevel = cmd.getParent() == null;
        String sentence = lowerFirst(e.getMessage());
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            if (first.startsWith("-")) {
                String name = first.split("=", 2)[0];
                sentence = "unknown option '" + name + "'" + didYouMean(name, cmd.getCommandSpec().optionsMap().keySet());
            } else if (topLevel) {
                sentence = "unknown command '" + first + "'" + didYouMean(first, cmd.getSubcommands().keySet());
            } else {
                sentence = "unexpected argument '" + first + "'";
            }
        }
        String help = topLevel || cmd.getCommandSpec().userObject() instanceof HelpCommand
                ? "./weft help lists the commands" : "./weft " + cmd.getCommandName() + " --help lists its options";
        PrintWriter err = cmd.getErr();
        err.println(prefix(cmd) + ": " + sentence + " (" + help + ")");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** A command that failed while running: one line on stderr (the stack trace only if asked for); exit 1. */
    static int failure(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        err.println(prefix(cmd) + ": " + sentence(e));
        if (System.getenv(STACKTRACE_ENV) != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return cmd.getCommandSpec().exitCodeOnExecutionException();
    }

    /** What went wrong, as one sentence: the failures a user causes by their message, others by their type too. */
    static String sentence(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                // The JDK says "name: Name or service not known" (or just the name).
                String m = String.valueOf(t.getMessage());
                int colon = m.indexOf(": ");
                return colon < 0 ? "unknown host " + m : "unknown host " + m.substring(0, colon) + " (" + m.substring(colon + 2) + ")";
            }
        }
        String message = e.getMessage();
        boolean expected = e instanceof IOException || e instanceof UncheckedIOException
                || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof ConfigException; // one sentence naming the file and line already
        if (expected && message != null && !message.isBlank()) {
            return message;
        }
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message)
                + " (" + STACKTRACE_ENV + "=1 shows where)";
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getParent() == null ? "weft" : "weft " + cmd.getCommandName();
    }

    /** The names within two edits of {@code typed} (a typo or two letters swapped), as "; did you mean a or b?". */
    private static String didYouMean(String typed, Collection<String> names) {
        List<String> close = names.stream().filter(n -> n.length() > 2 && edits(typed, n) <= 2).sorted().toList();
        return close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?";
    }

    /** Levenshtein distance: the insertions, deletions and substitutions that make {@code a} into {@code b}. */
    private static int edits(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    private static String lowerFirst(String message) {
        String m = message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
}
