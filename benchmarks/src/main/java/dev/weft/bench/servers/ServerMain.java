package dev.weft.bench.servers;

import dev.weft.bench.json.BenchJson;
import dev.weft.bench.proc.ServerSample;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One server under test in a JVM of its own, driven in lines (the load harness starts it):
 *
 * <pre>
 * server → driver   LISTENING port=N
 * driver → server   SAMPLE            → SAMPLE {json}: memory and threads after full GCs (see ServerSample)
 * driver → server   STOP, or end of input: the server closes and the JVM exits
 * </pre>
 *
 * <pre>ServerMain --server weft|netty|nio|platform-threads|naive-virtual|weft-http|netty-http [--max-connections 20000]</pre>
 */
public final class ServerMain {

    public static final String LISTENING = "LISTENING port=";
    public static final String SAMPLE = "SAMPLE";
    public static final String STOP = "STOP";
    /** Weft and Netty log their start at INFO; the driver reads this process's output. Held so it is not collected. */
    private static final Logger QUIET = Logger.getLogger("");

    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !args[0].equals("--server")) {
            System.err.println("usage: ServerMain --server " + String.join("|", ServerKind.labels())
                    + " [--max-connections 20000]");
            System.exit(2);
        }
        ServerKind kind = ServerKind.of(args[1]);
        int max = args.length >= 4 && args[2].equals("--max-connections") ? Integer.parseInt(args[3]) : 20_000;
        QUIET.setLevel(Level.WARNING);
        try (BenchServer server = kind.start(max)) {
            System.out.println(LISTENING + server.port());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.equals(STOP); ) {
                if (line.equals(SAMPLE)) {
                    System.out.println(SAMPLE + " " + BenchJson.compact(ServerSample.afterGc()));
                }
            }
        }
        System.exit(0);
    }
}
