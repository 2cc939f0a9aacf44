package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.TransportPollers;
import dev.weft.testing.LeakCheck;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A connection whose thread cannot be started (out of memory, a scheduler that refuses) ends at
 * once: its socket is closed, its permit returned, it is counted and logged, and the server goes
 * on serving. Before, the permit was lost (with one connection allowed, the server served no one
 * again), the socket stayed open, and an {@link Error} ended the accept thread.
 */
@ExtendWith(LeakCheck.class)
class ThreadStartFailureTest {

    private final ServerFixture fixture = new ServerFixture();
    private final LogCapture log = LogCapture.of(TcpServer.class);

    /** Made before the leak check's first look: the transport's pollers live as long as the JVM. */
    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    @AfterEach
    void tearDown() {
        fixture.close();
        log.close();
    }

    @Test
    void aRefusedThreadEndsItsConnectionAndReturnsThePermit() {
        RejectedExecutionException refusal = new RejectedExecutionException("the scheduler is shutting down");
        assertTheFirstConnectionEndsAndTheNextIsServed(refusal);
    }

    @Test
    void anOutOfMemoryErrorDoesNotEndTheAcceptLoop() {
        OutOfMemoryError oom = new OutOfMemoryError("unable to create a thread (made up by the test)");
        assertTheFirstConnectionEndsAndTheNextIsServed(oom);
    }

    private void assertTheFirstConnectionEndsAndTheNextIsServed(Throwable failure) {
        fixture.start(Handlers.echo(), b -> b.maxConnections(1).connectionThreads(failingOnce(failure)));

        fixture.connect().assertEnded(); // closed at once, not left open

        fixture.awaitOnlyClosed(CloseCause.HANDLER_ERROR, 1);
        assertEquals(0, fixture.server().activeConnections());
        // With one permit, this is served only if the failed connection gave its permit back.
        fixture.connect().assertEchoes("served after the failure");
        List<LogCapture.Line> warnings = log.warnings();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).message().endsWith(": not served, its thread could not be started"),
                warnings.toString());
        assertSame(failure, warnings.get(0).thrown().getCause());
        assertEquals(0, fixture.registry.get("weft.tcp.accept.errors").counter().count());
    }

    /** Fails to make the first connection's thread, then makes virtual threads. */
    private static ThreadFactory failingOnce(Throwable failure) {
        ThreadFactory virtual = Thread.ofVirtual().factory();
        AtomicInteger calls = new AtomicInteger();
        return task -> {
            if (calls.getAndIncrement() == 0) {
                if (failure instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) failure;
            }
            return virtual.newThread(task);
        };
    }
}
