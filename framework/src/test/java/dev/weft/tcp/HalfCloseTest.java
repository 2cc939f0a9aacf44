package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each direction of a connection closes on its own: FIN in one direction leaves the other open. */
class HalfCloseTest {

    private final ServerFixture fixture = new ServerFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void clientShutsDownOutputAndStillReceivesTheReply() {
        fixture.start(conn -> {
            byte[] request = conn.in().readAllBytes(); // to end-of-stream: the client's FIN
            conn.out().write(("got " + request.length + " bytes: "
                    + new String(request, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        });
        TestClient client = fixture.connect();

        client.send("the whole request");
        client.shutdownOutput();

        assertEquals("got 17 bytes: the whole request",
                new String(client.readToEnd(), StandardCharsets.UTF_8));
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 1);
    }

    @Test
    void handlerShutsDownOutputAndStillReadsWhatTheClientSendsAfter() throws Exception {
        CompletableFuture<String> afterFin = new CompletableFuture<>();
        fixture.start(conn -> {
            conn.out().write("greeting".getBytes(StandardCharsets.UTF_8));
            conn.shutdownOutput();
            afterFin.complete(new String(conn.in().readAllBytes(), StandardCharsets.UTF_8));
        });
        TestClient client = fixture.connect();

        assertEquals("greeting", new String(client.readToEnd(), StandardCharsets.UTF_8));
        client.send("sent after the server's FIN");
        client.shutdownOutput();

        assertEquals("sent after the server's FIN", afterFin.get(10, TimeUnit.SECONDS));
        fixture.awaitOnlyClosed(CloseCause.PEER_CLOSED, 1);
    }
}
