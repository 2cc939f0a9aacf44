package dev.weft.examples;

import dev.weft.proxy.ProxyCredentials;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Prints a line for {@code ./weft proxy --auth FILE}: the user and a PBKDF2 hash of the password,
 * read from the terminal without echo (or the first line of standard input). The
 * {@code proxy-passwd} subcommand.
 *
 * <pre>./weft proxy-passwd alice >> proxy-users</pre>
 */
@Command(name = "proxy-passwd",
        description = "Prints USER's line for ./weft proxy --auth FILE; the password is read from the terminal or stdin.")
public final class ProxyPasswd implements Callable<Integer> {

    @Parameters(paramLabel = "USER", description = "The user name (no ':').")
    String user;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        char[] password;
        Console console = System.console();
        if (console != null) {
            password = console.readPassword("password for %s: ", user);
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? null : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            throw new ParameterException(spec.commandLine(), "no password given");
        }
        try {
            System.out.println(ProxyCredentials.line(user, password));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return 0;
    }
}
