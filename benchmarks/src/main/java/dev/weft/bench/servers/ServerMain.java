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
 * <pre>ServerMain --server weft|netty|nio|platform-threads|naive-virtual|weft-http|netty-http|weft-proxy|weft-fwd|weft-tcp-proxy
 *            [--max-connections 20000] [--backend-port P] [--connect-port P]</pre>
 *
 * {@code --backend-port} is the port on 127.0.0.1 that {@code weft-proxy} and {@code weft-tcp-proxy}
 * forward to, {@code --connect-port} the one port {@code weft-fwd} lets {@code CONNECT} reach. Weft's
 * servers run on the benchmark's transport, the one that takes none from its builder too
 * ({@code TcpProxy}: {@link WeftServers#useTransportByDefault}).
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
        String server = null;
        int max = 20_000;
        int backend = 0;
        int connect = 0;
        boolean wrong = args.length % 2 != 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--server" -> server = args[i + 1];
                case "--max-connections" -> max = Integer.parseInt(args[i + 1]);
                case "--backend-port" -> backend = Integer.parseInt(args[i + 1]);
                case "--connect-port" -> connect = Integer.parseInt(args[i + 1]);
                default -> wrong = true;
            }
        }
        if (server == null || wrong) {
            System.err.println("usage: ServerMain --server " + String.join("|",
                    ServerKind.labels().stream().filter(l -> ServerKind.of(l).inJvm()).toList())
                    + " [--max-connections 20000] [--backend-port P] [--connect-port P]");
            System.exit(2);
        }
        ServerKind kind = ServerKind.of(server);
        QUIET.setLevel(Level.WARNING);
        WeftServers.useTransportByDefault();
        try (BenchServer running = kind.start(max, backend, connect)) {
            System.out.println(LISTENING + running.port());
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
