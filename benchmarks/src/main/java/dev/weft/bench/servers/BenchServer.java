package dev.weft.bench.servers;

/** A server under test, listening on 127.0.0.1; {@link #close()} stops it and closes its connections. */
public interface BenchServer extends AutoCloseable {

    /**
     * The listen backlog of every server under test: Weft's default and Netty's on Linux (the
     * kernel's {@code somaxconn}, 4096 here), so a connect burst of 10,000 meets the same queue everywhere.
     */
    int BACKLOG = 4096;

    /** The port it listens on. */
    int port();

    @Override
    void close();
}
