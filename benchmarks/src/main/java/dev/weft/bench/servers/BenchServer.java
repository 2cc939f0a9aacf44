package dev.weft.bench.servers;

/** A server under test, listening on 127.0.0.1; {@link #close()} stops it and closes its connections. */
public interface BenchServer extends AutoCloseable {

    /** The port it listens on. */
    int port();

    @Override
    void close();
}
