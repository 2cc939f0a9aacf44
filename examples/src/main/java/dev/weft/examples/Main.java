package dev.weft.examples;

import java.util.Arrays;

/**
 * One entry point for the examples: {@code Main <command> [options]}, as {@code ./weft <command>}
 * runs it. A wrong command or option prints what was wrong and exits with status 2.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage("no command given");
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "echo" -> EchoServer.main(rest);
                case "http" -> HttpExample.main(rest);
                case "tcpstat" -> TcpStat.main(rest);
                case "tcping" -> TcPing.main(rest);
                case "timewait-demo" -> TimeWaitDemo.main(rest);
                case "tcp-proxy" -> TcpProxyExample.main(rest);
                default -> usage("unknown command '" + args[0] + "'");
            }
        } catch (Args.UsageException e) {
            usage(e.getMessage());
        }
    }

    private static void usage(String problem) {
        System.err.println("weft: " + problem + "; see ./weft help");
        System.exit(2);
    }
}
