package dev.weft.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The lines between the load client and the process that drives it. */
class ClientProtocolTest {

    private static final LoadResult WRK_LIKE = new LoadResult("http", 20_000, 10_000, 3, 2, 1, 1_234_567, 6.0,
            205_761.1666, 812.5, 4_096.0, Double.NaN, 2_000_001.0, "conn 7: reply \"HTTP/1.1 500\" after 3 ms");

    @Test
    void aResultLineIsOneLineOfJsonThatReadsBackEqual() {
        String line = ClientProtocol.result(WRK_LIKE);
        assertEquals("RESULT {\"protocol\":\"http\",\"offeredRate\":20000,\"connected\":10000,\"connectErrors\":3,"
                + "\"errors\":2,\"timeouts\":1,\"messages\":1234567,\"seconds\":6.0,\"msgsPerSec\":205761.1666,"
                + "\"p50Us\":812.5,\"p99Us\":4096.0,\"p999Us\":null,\"maxUs\":2000001.0,"
                + "\"firstError\":\"conn 7: reply \\\"HTTP/1.1 500\\\" after 3 ms\"}", line);
        ClientProtocol.Result back = assertInstanceOf(ClientProtocol.Result.class, ClientProtocol.parse(line));
        assertEquals(WRK_LIKE, back.result()); // p99.9 not measured: NaN again
        assertTrue(Double.isNaN(back.result().p999Us()));
    }

    @Test
    void aResultLineMissingAFigureIsUnreadableNotZero() {
        String line = ClientProtocol.result(WRK_LIKE).replace("\"messages\":1234567,", "");
        ClientProtocol.Other other = assertInstanceOf(ClientProtocol.Other.class, ClientProtocol.parse(line));
        assertTrue(other.text().startsWith(line + "   (unreadable: bad LoadResult: "), other.text());
        assertTrue(other.text().contains("'messages'"), other.text());

        ClientProtocol.Line garbled = ClientProtocol.parse("RESULT {\"protocol\":");
        assertTrue(assertInstanceOf(ClientProtocol.Other.class, garbled).text().contains("(unreadable: "));
    }

    @Test
    void theRampLinesCarryTheirCounts() {
        assertEquals(new ClientProtocol.Progress(12, 1), ClientProtocol.parse(ClientProtocol.progress(12, 1)));
        assertEquals(new ClientProtocol.Ready(10_000, 0, 1_500),
                ClientProtocol.parse(ClientProtocol.ready(10_000, 0, 1_500)));
        assertEquals(new ClientProtocol.Other("hello"), ClientProtocol.parse("hello"));
    }
}
