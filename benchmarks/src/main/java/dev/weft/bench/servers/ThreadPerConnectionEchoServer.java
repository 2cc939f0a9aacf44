package dev.weft.bench.servers;

import dev.weft.bench.Loopback;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server anyone writes first: {@code accept()} in a loop, a new thread per connection, read a
 * chunk and write it back. Run with platform threads it is the classic textbook server; with
 * virtual threads it is the "naive" virtual-thread server Weft has to beat.
 */
final class ThreadPerConnectionEchoServer implements BenchServer {

    private static final int BUFFER = 1024;

    private final ServerSocket listener;
    private final Thread.Builder threads;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private ThreadPerConnectionEchoServer(ServerSocket listener, Thread.Builder threads) {
        this.listener = listener;
        this.threads = threads;
        this.acceptor = Thread.ofPlatform().name("accept").start(this::accept);
    }

    static BenchServer start(Thread.Builder threads) throws IOException {
        return new ThreadPerConnectionEchoServer(new ServerSocket(0, BACKLOG, Loopback.address()), threads);
    }

    @Override
    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() {
        try {
            listener.close();
            acceptor.join();
        } catch (IOException e) {
            // Already closed.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        open.forEach(ThreadPerConnectionEchoServer::closeQuietly);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                socket.setTcpNoDelay(true);
                open.add(socket);
                threads.start(() -> echo(socket));
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private void echo(Socket socket) {
        try (socket) {
            byte[] buf = new byte[BUFFER];
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketException closed) {
            // Reset by the client or closed by close().
        } catch (IOException e) {
            // A broken connection ends its thread; the benchmark's client counts what it lost.
        } finally {
            open.remove(socket);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Best effort at shutdown.
        }
    }
}
