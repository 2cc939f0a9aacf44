package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The PROXY protocol codec against the specification's formats and examples. */
class ProxyProtocolTest {

    private static InetSocketAddress at(String host, int port) {
        return new InetSocketAddress(host, port);
    }

    private static ProxyProtocol.Header read(byte[] bytes) throws IOException {
        return ProxyProtocol.read(new ByteArrayInputStream(bytes));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void v1LinesAreTheSpecificationsFormat() {
        assertEquals("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", new String(ProxyProtocol.encode(
                ProxyProtocol.Version.V1, at("192.168.0.1", 56324), at("192.168.0.11", 443)), StandardCharsets.US_ASCII));
        assertEquals("PROXY TCP6 2001:db8:0:0:0:0:0:1 2001:db8:0:0:0:0:0:2 4000 80\r\n", new String(ProxyProtocol.encode(
                ProxyProtocol.Version.V1, at("2001:db8::1", 4000), at("2001:db8::2", 80)), StandardCharsets.US_ASCII));
        // mixed families go as IPv6, the IPv4 one mapped
        assertEquals("PROXY TCP6 ::ffff:10.0.0.1 0:0:0:0:0:0:0:1 1 2\r\n", new String(ProxyProtocol.encode(
                ProxyProtocol.Version.V1, at("10.0.0.1", 1), at("::1", 2)), StandardCharsets.US_ASCII));
    }

    @Test
    void v2BytesAreTheSpecificationsLayout() {
        byte[] v4 = ProxyProtocol.encode(ProxyProtocol.Version.V2, at("192.168.0.1", 56324), at("192.168.0.11", 443));
        // signature, 0x21 = version 2 PROXY, 0x11 = TCP over IPv4, length 12, src, dst, sport, dport
        assertEquals("0d0a0d0a000d0a515549540a" + "21" + "11" + "000c" + "c0a80001" + "c0a8000b" + "dc04" + "01bb",
                HexFormat.of().formatHex(v4));
        byte[] v6 = ProxyProtocol.encode(ProxyProtocol.Version.V2, at("2001:db8::1", 1), at("::1", 2));
        assertEquals("0d0a0d0a000d0a515549540a" + "21" + "21" + "0024" + "20010db8000000000000000000000001"
                + "00000000000000000000000000000001" + "0001" + "0002", HexFormat.of().formatHex(v6));
    }

    @Test
    void whatIsWrittenReadsBackInBothVersions() throws IOException {
        for (ProxyProtocol.Version v : ProxyProtocol.Version.values()) {
            for (String[] pair : new String[][] {{"203.0.113.7", "198.51.100.1"}, {"2001:db8::7", "2001:db8::1"}}) {
                ProxyProtocol.Header h = read(ProxyProtocol.encode(v, at(pair[0], 65535), at(pair[1], 1)));
                assertEquals(at(pair[0], 65535), h.source(), v + " " + pair[0]);
                assertEquals(at(pair[1], 1), h.destination());
            }
        }
    }

    @Test
    void theLongestV1LinesAndUnknownAreRead() throws IOException {
        String longest = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        assertEquals(104, longest.length());
        assertEquals(65535, read(ascii(longest)).source().getPort());
        assertNull(read(ascii("PROXY UNKNOWN\r\n")).source());
        String unknownLongest = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        assertEquals(107, unknownLongest.length());
        assertNull(read(ascii(unknownLongest)).source());
    }

    @Test
    void theReaderTakesTheHeaderAndNotOneByteMore() throws IOException {
        for (byte[] header : new byte[][] {ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"),
                ProxyProtocol.encode(ProxyProtocol.Version.V2, at("1.2.3.4", 1), at("5.6.7.8", 2))}) {
            byte[] all = new byte[header.length + 5];
            System.arraycopy(header, 0, all, 0, header.length);
            System.arraycopy(ascii("hello"), 0, all, header.length, 5);
            InputStream in = new ByteArrayInputStream(all);
            ProxyProtocol.read(in);
            assertEquals("hello", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void v2LocalAndTlvsAreUnderstood() throws IOException {
        // LOCAL (0x20), UNSPEC family, no addresses: a health check of the balancer itself
        assertNull(read(HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "20" + "00" + "0000")).source());
        // PROXY over IPv4 with a 7-byte TLV (type 0x04 NOOP, length 4) after the addresses
        ProxyProtocol.Header h = read(HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "21" + "11" + "0013"
                + "01020304" + "05060708" + "0001" + "0002" + "04" + "0004" + "00000000"));
        assertEquals(at("1.2.3.4", 1), h.source());
        // a family we do not take (AF_UNIX) is UNKNOWN: the connection's own addresses stand
        assertNull(read(HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "21" + "31" + "0000")).source());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\n",                                    // no header at all
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",                      // LF without CR
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",                // port out of range
        "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",                   // a leading zero
        "PROXY TCP4 example.com 5.6.7.8 1 2\r\n",                // a name, never looked up
        "PROXY TCP4 ::1 5.6.7.8 1 2\r\n",                        // the wrong family
        "PROXY TCP6 1.2.3.4 ::1 1 2\r\n",                        // the wrong family the other way
        "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",                      // a field missing
        "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",                    // not TCP
        "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n",                   // two spaces
    })
    void malformedV1HeadersAreRefused(String header) {
        assertThrows(ProtocolException.class, () -> read(ascii(header)), header);
    }

    @Test
    void aLineLongerThanTheSpecificationAllowsIsRefusedWithoutReadingOn() {
        String endless = "PROXY TCP4 " + "1".repeat(200) + "\r\n";
        assertThrows(ProtocolException.class, () -> read(ascii(endless)));
    }

    @Test
    void malformedV2HeadersAreRefused() {
        HexFormat hex = HexFormat.of();
        assertThrows(ProtocolException.class, () -> read(hex.parseHex("0d0a0d0a000d0a515549540b" + "21110000")), "signature");
        assertThrows(ProtocolException.class, () -> read(hex.parseHex("0d0a0d0a000d0a515549540a" + "11110000")), "version 1");
        assertThrows(ProtocolException.class, () -> read(hex.parseHex("0d0a0d0a000d0a515549540a" + "22110000")), "command 2");
        assertThrows(ProtocolException.class, () -> read(hex.parseHex("0d0a0d0a000d0a515549540a" + "2111" + "0004"
                + "01020304")), "too short for two addresses");
        assertThrows(ProtocolException.class, () -> read(hex.parseHex("0d0a0d0a000d0a515549540a" + "2111" + "ffff")),
                "64 KiB of TLVs");
    }

    @Test
    void aHeaderCutShortIsAnEndOfStream() {
        assertThrows(EOFException.class, () -> read(ascii("PROXY TCP4 1.2.3.4")));
        byte[] v2 = ProxyProtocol.encode(ProxyProtocol.Version.V2, at("1.2.3.4", 1), at("5.6.7.8", 2));
        byte[] cut = java.util.Arrays.copyOf(v2, v2.length - 3);
        assertThrows(EOFException.class, () -> read(cut));
        assertTrue(v2.length > 16);
    }
}
