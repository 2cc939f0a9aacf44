package dev.weft.examples.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** nginx's time, size and number syntax. */
class ValuesTest {

    @Test
    void timesInTheMillisecondModeOfTheProxyTimeouts() {
        Map<String, Long> cases = Map.ofEntries(
                Map.entry("30", 30_000L), Map.entry("0", 0L), Map.entry("500ms", 500L), Map.entry("5s", 5_000L),
                Map.entry("2m", 120_000L), Map.entry("1h", 3_600_000L), Map.entry("1d", 86_400_000L),
                Map.entry("1w", 604_800_000L), Map.entry("1m30s", 90_000L), Map.entry("1m30", 90_000L),
                Map.entry("1h 2m 3s 4ms", 3_723_004L), Map.entry("1s500ms", 1_500L),
                Map.entry("1y", -1L), Map.entry("1M", -1L), Map.entry("5x", -1L), Map.entry("s", -1L),
                Map.entry("", -1L), Map.entry("30s1m", -1L), Map.entry("1s1s", -1L), Map.entry("1s5", -1L),
                Map.entry("-5s", -1L), Map.entry("1.5s", -1L), Map.entry("5 s", -1L),
                Map.entry("99999999999999999999", -1L), Map.entry("9999999999999999d", -1L));
        cases.forEach((text, ms) -> assertEquals(ms, Values.millis(text, false), text));
    }

    @Test
    void timesInTheSecondModeOfFailTimeout() {
        Map<String, Long> cases = Map.of("10", 10_000L, "1y", 31_536_000_000L, "1M", 2_592_000_000L,
                "1y1M1w1d", 31_536_000_000L + 2_592_000_000L + 604_800_000L + 86_400_000L,
                "500ms", -1L, "1M1y", -1L);
        cases.forEach((text, ms) -> assertEquals(ms, Values.millis(text, true), text));
    }

    @Test
    void sizesInBytesKilobytesMegabytesAndGigabytes() {
        Map<String, Long> cases = Map.of("512", 512L, "64k", 65_536L, "64K", 65_536L, "10m", 10_485_760L,
                "1G", 1_073_741_824L, "k", -1L, "10q", -1L, "1.5m", -1L, "-1", -1L, "9999999999999g", -1L);
        cases.forEach((text, bytes) -> assertEquals(bytes, Values.bytes(text), text));
    }

    @Test
    void numbersAreDecimalDigitsWithoutSign() {
        Map<String, Integer> cases = Map.of("0", 0, "42", 42, "2147483647", Integer.MAX_VALUE, "2147483648", -1,
                "+1", -1, "-1", -1, "", -1, "1e3", -1, "0x10", -1);
        cases.forEach((text, n) -> assertEquals(n, Values.number(text), text));
    }
}
