package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bytes come back exactly as sent, however the client and the handler cut them. */
class EchoTest {

    private final ServerFixture fixture = new ServerFixture();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        fixture.close();
    }

    static Stream<Arguments> handlers() {
        return Stream.of(
                Arguments.of("transferTo", Handlers.echo()),
                Arguments.of("one byte per read()/write(int)", Handlers.byteAtATimeEcho()),
                Arguments.of("7-byte buffer", Handlers.bufferedEcho(7)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("handlers")
    void echoesByteForByteWhenClientWritesAndReadsInRandomFragments(String name, ConnectionHandler handler)
            throws Exception {
        fixture.start(handler);
        Random random = new Random(42);
        byte[] payload = new byte[48 * 1024];
        random.nextBytes(payload);
        TestClient client = fixture.connect();

        Future<?> writer = threads.submit(() -> client.sendInFragments(payload, new Random(7), 31));
        byte[] echoed = client.readInFragments(payload.length, new Random(11), 97);

        writer.get(10, TimeUnit.SECONDS);
        assertArrayEquals(payload, echoed);
        client.shutdownOutput();
        client.assertEnded();
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 1);
    }

    @Test
    void echoesOneMebibyteWrittenAndReadConcurrently() throws Exception {
        fixture.start(Handlers.echo());
        byte[] payload = new byte[1024 * 1024];
        new Random(1).nextBytes(payload);
        TestClient client = fixture.connect();

        // Written from a second thread: the echo fills both directions' buffers long before 1 MiB.
        Future<?> writer = threads.submit(() -> {
            client.send(payload);
            client.shutdownOutput();
            return null;
        });
        byte[] echoed = client.readToEnd();

        writer.get(10, TimeUnit.SECONDS);
        assertEquals(payload.length, echoed.length);
        assertArrayEquals(payload, echoed);
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 1);
        assertEquals(payload.length, fixture.bytesRead());
        assertEquals(payload.length, fixture.bytesWritten());
    }

    @Test
    void manyClientsEchoAtTheSameTimeWithoutCrossTalk() throws Exception {
        fixture.start(Handlers.echo());
        int clients = 50;
        Future<?>[] results = new Future<?>[clients];
        for (int i = 0; i < clients; i++) {
            int id = i;
            results[i] = threads.submit(() -> {
                TestClient client = fixture.connect();
                for (int round = 0; round < 20; round++) {
                    client.assertEchoes("client " + id + " round " + round + ";");
                }
                client.close();
                return null;
            });
        }
        for (Future<?> result : results) {
            result.get(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS);
        }
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, clients);
    }
}
