package dev.weft.bench.servers;

import dev.weft.bench.Loopback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The hand-rolled NIO reference: an accept thread hands connections round robin to one selector
 * thread per core. Each selector thread reads into one direct buffer it shares among all its
 * connections and writes the bytes straight back; only what the socket does not take at once is
 * copied into a per-connection buffer, and that connection stops reading until it is written. An
 * idle connection costs a channel and a selection key, nothing more.
 */
final class NioEchoServer implements BenchServer {

    private static final int READ_BUFFER = 64 * 1024;

    private final ServerSocketChannel listener;
    private final List<Loop> loops = new ArrayList<>();
    private final Thread acceptor;
    private volatile boolean running = true;

    private NioEchoServer(ServerSocketChannel listener, int threads) throws IOException {
        this.listener = listener;
        for (int i = 0; i < threads; i++) {
            Loop loop = new Loop(this, Selector.open());
            loops.add(loop);
            loop.thread = Thread.ofPlatform().name("nio-loop-" + i).start(loop::run);
        }
        this.acceptor = Thread.ofPlatform().name("nio-accept").start(this::accept);
    }

    static BenchServer start() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(Loopback.address(), 0), BenchServer.BACKLOG);
        return new NioEchoServer(listener, Runtime.getRuntime().availableProcessors());
    }

    @Override
    public int port() {
        return listener.socket().getLocalPort();
    }

    @Override
    public void close() {
        try {
            running = false;
            listener.close();
            for (Loop loop : loops) {
                loop.selector.wakeup();
            }
            acceptor.join();
            for (Loop loop : loops) {
                loop.thread.join();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        int next = 0;
        while (listener.isOpen()) {
            try {
                SocketChannel ch = listener.accept();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                Loop loop = loops.get(next++ % loops.size());
                loop.incoming.add(ch);
                loop.selector.wakeup();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                if (!listener.isOpen()) {
                    return;
                }
            }
        }
    }

    /** One selector thread and its connections. */
    private static final class Loop {
        final NioEchoServer server;
        final Selector selector;
        final Queue<SocketChannel> incoming = new ConcurrentLinkedQueue<>();
        final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
        Thread thread;

        Loop(NioEchoServer server, Selector selector) {
            this.server = server;
            this.selector = selector;
        }

        void run() {
            try {
                while (server.running) {
                    selector.select();
                    register();
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        handle(key);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                closeAll();
            }
        }

        private void register() throws IOException {
            for (SocketChannel ch; (ch = incoming.poll()) != null; ) {
                ch.register(selector, SelectionKey.OP_READ);
            }
        }

        private void handle(SelectionKey key) {
            SocketChannel ch = (SocketChannel) key.channel();
            try {
                if (key.isWritable()) {
                    ByteBuffer pending = (ByteBuffer) key.attachment();
                    ch.write(pending);
                    if (!pending.hasRemaining()) {
                        key.attach(null);
                        key.interestOps(SelectionKey.OP_READ);
                    }
                } else if (key.isReadable()) {
                    buffer.clear();
                    if (ch.read(buffer) < 0) {
                        ch.close();
                        return;
                    }
                    buffer.flip();
                    ch.write(buffer);
                    if (buffer.hasRemaining()) {
                        ByteBuffer pending = ByteBuffer.allocate(buffer.remaining());
                        pending.put(buffer).flip();
                        key.attach(pending);
                        key.interestOps(SelectionKey.OP_WRITE);
                    }
                }
            } catch (IOException | java.nio.channels.CancelledKeyException e) {
                closeQuietly(ch);
            }
        }

        private void closeAll() {
            for (SelectionKey key : selector.keys()) {
                closeQuietly(key.channel());
            }
            for (SocketChannel ch; (ch = incoming.poll()) != null; ) {
                closeQuietly(ch);
            }
            closeQuietly(selector);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Closing is best effort at shutdown.
        }
    }
}
