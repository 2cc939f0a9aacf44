package dev.weft.diag;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

/**
 * The child half of {@link PacketLossTest}, run inside a fresh network namespace (where the
 * kernel's TCP counters start at zero): sends 2 MiB over loopback, checks every byte arrived, and
 * prints {@code OK <RetransSegs delta> <OutSegs delta>}.
 */
public final class LossProbe {

    private static final int SIZE = 2 * 1024 * 1024;

    private LossProbe() {
    }

    public static void main(String[] args) throws Exception {
        TcpCounters before = TcpCounters.read();
        byte[] data = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            data[i] = (byte) (i * 31);
        }
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                Socket server = listener.accept()) {
            client.setSoTimeout(60_000);
            server.setSoTimeout(60_000);
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    out.write(data);
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            InputStream in = server.getInputStream();
            byte[] received = in.readNBytes(SIZE);
            writer.join();
            if (!Arrays.equals(data, received)) {
                System.out.println("CORRUPT");
                System.exit(1);
            }
        }
        TcpCounters delta = TcpCounters.read().minus(before);
        System.out.println("OK " + delta.get("RetransSegs") + " " + delta.get("OutSegs"));
    }
}
