package dev.weft.tcp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * HAProxy's PROXY protocol, versions 1 (a text line) and 2 (binary): how a load balancer in front
 * tells the server behind it whom a connection really comes from. A server that expects it
 * ({@link TcpServer.Builder#acceptProxyProtocol}, nginx's {@code listen ... proxy_protocol}) reads
 * the header before anything else, and {@link Connection#remoteAddress()} is then the client's;
 * a proxy sends one ({@link #encode}, HAProxy's {@code send-proxy}) right after connecting.
 *
 * <p>Written from the specification (haproxy.org, "The PROXY protocol", versions 1 and 2). What is
 * read: v1 {@code TCP4}, {@code TCP6} and {@code UNKNOWN}; v2 {@code PROXY} and {@code LOCAL} over
 * TCP/IPv4 and TCP/IPv6, other families taken as {@code UNKNOWN}; TLVs skipped. The reader takes
 * exactly the header's bytes from the stream, nothing after it.
 */
public final class ProxyProtocol {

    /** Which version to send. */
    public enum Version { V1, V2 }

    /**
     * What a header said: the client's address and the address it connected to, or both null for
     * {@code UNKNOWN} / {@code LOCAL} (the connection's own addresses stand).
     */
    public record Header(InetSocketAddress source, InetSocketAddress destination) {
        static final Header LOCAL = new Header(null, null);
    }

    /** A header that is not one: the connection is closed, counted as {@code protocol_error}. */
    static final class MalformedException extends java.net.ProtocolException {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super("PROXY protocol: " + message);
        }
    }

    /** The v2 signature, 12 bytes. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_START = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    /** The longest v1 line, CRLF included (the specification's figure). */
    private static final int V1_MAX = 107;
    /** The most address and TLV bytes a v2 header may carry here: addresses and a few TLVs (HAProxy's SSL ones). */
    private static final int V2_MAX_BODY = 4096;

    private ProxyProtocol() {
    }

    /**
     * The header announcing a connection from {@code source} to {@code destination}. Mixed families
     * are sent as IPv6 (IPv4-mapped); v1 then says TCP6.
     */
    public static byte[] encode(Version version, InetSocketAddress source, InetSocketAddress destination) {
        InetAddress src = source.getAddress();
        InetAddress dst = destination.getAddress();
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        if (version == Version.V1) {
            String line = "PROXY " + (v4 ? "TCP4 " : "TCP6 ") + literal(src, v4) + " " + literal(dst, v4) + " "
                    + source.getPort() + " " + destination.getPort() + "\r\n";
            return line.getBytes(StandardCharsets.US_ASCII);
        }
        int addressBytes = v4 ? 12 : 36;
        ByteBuffer b = ByteBuffer.allocate(16 + addressBytes);
        b.put(V2_SIGNATURE).put((byte) 0x21).put((byte) (v4 ? 0x11 : 0x21)).putShort((short) addressBytes);
        b.put(bytes(src, v4)).put(bytes(dst, v4)).putShort((short) source.getPort()).putShort((short) destination.getPort());
        return b.array();
    }

    /**
     * Reads one header, v1 or v2, and nothing after it.
     *
     * @throws java.net.ProtocolException if the bytes are not a PROXY header
     * @throws IOException                if the stream fails or ends inside the header
     */
    public static Header read(InputStream in) throws IOException {
        byte[] start = readFully(in, 6);
        if (Arrays.equals(start, V1_START)) {
            return readV1(in);
        }
        if (Arrays.equals(start, 0, 6, V2_SIGNATURE, 0, 6)) {
            return readV2(in);
        }
        throw new MalformedException("the connection did not begin with a PROXY header");
    }

    private static Header readV1(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64).append("PROXY ");
        for (;;) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("PROXY protocol: the connection ended inside the header");
            }
            line.append((char) c);
            if (line.length() > V1_MAX) {
                throw new MalformedException("a v1 header longer than " + V1_MAX + " bytes");
            }
            if (c == '\n') {
                break;
            }
        }
        if (line.length() < 2 || line.charAt(line.length() - 2) != '\r') {
            throw new MalformedException("a v1 header not ended by CRLF");
        }
        String[] parts = line.substring(0, line.length() - 2).split(" ", -1);
        if (parts.length >= 2 && parts[1].equals("UNKNOWN")) {
            return Header.LOCAL;
        }
        if (parts.length != 6 || !(parts[1].equals("TCP4") || parts[1].equals("TCP6"))) {
            throw new MalformedException("a v1 header that is not TCP4, TCP6 or UNKNOWN with four fields");
        }
        boolean v4 = parts[1].equals("TCP4");
        return new Header(new InetSocketAddress(address(parts[2], v4), port(parts[4])),
                new InetSocketAddress(address(parts[3], v4), port(parts[5])));
    }

    private static Header readV2(InputStream in) throws IOException {
        byte[] rest = readFully(in, 10);
        if (!Arrays.equals(rest, 0, 6, V2_SIGNATURE, 6, 12)) {
            throw new MalformedException("a bad v2 signature");
        }
        int versionCommand = rest[6] & 0xff;
        int family = rest[7] & 0xff;
        int length = ((rest[8] & 0xff) << 8) | (rest[9] & 0xff);
        if (versionCommand >> 4 != 2 || (versionCommand & 0x0f) > 1) {
            throw new MalformedException("v2 version or command 0x" + Integer.toHexString(versionCommand));
        }
        if (length > V2_MAX_BODY) {
            throw new MalformedException("a v2 header of " + length + " bytes, more than " + V2_MAX_BODY);
        }
        ByteBuffer body = ByteBuffer.wrap(readFully(in, length));
        boolean local = (versionCommand & 0x0f) == 0;
        if (local || (family != 0x11 && family != 0x21)) {
            return Header.LOCAL; // LOCAL (a health check of the balancer itself), or a family we do not take
        }
        int size = family == 0x11 ? 4 : 16;
        if (length < 2 * size + 4) {
            throw new MalformedException("a v2 header too short for its addresses");
        }
        byte[] src = new byte[size];
        byte[] dst = new byte[size];
        body.get(src).get(dst);
        int sport = body.getShort() & 0xffff;
        int dport = body.getShort() & 0xffff;
        return new Header(new InetSocketAddress(InetAddress.getByAddress(src), sport),
                new InetSocketAddress(InetAddress.getByAddress(dst), dport));
    }

    private static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("PROXY protocol: the connection ended inside the header");
        }
        return b;
    }

    /** An address literal of the family the header named; never a name lookup. */
    private static InetAddress address(String text, boolean v4) throws IOException {
        String allowed = v4 ? "0123456789." : "0123456789abcdefABCDEF:.";
        if (text.isEmpty() || !text.chars().allMatch(c -> allowed.indexOf(c) >= 0) || (v4 == text.contains(":"))) {
            throw new MalformedException("not an " + (v4 ? "IPv4" : "IPv6") + " address: " + text);
        }
        try {
            InetAddress a = InetAddress.getByName(text); // a literal (checked above): parsed, never looked up
            if (v4 && !(a instanceof Inet4Address)) {
                throw new MalformedException("not an IPv4 address: " + text);
            }
            return a; // a TCP6 header may carry an IPv4-mapped address, which Java gives as IPv4
        } catch (UnknownHostException e) {
            throw new MalformedException("not an address: " + text);
        }
    }

    private static int port(String text) throws IOException {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)
                || (text.length() > 1 && text.charAt(0) == '0')) {
            throw new MalformedException("not a port: " + text);
        }
        int port = Integer.parseInt(text);
        if (port > 65535) {
            throw new MalformedException("not a port: " + text);
        }
        return port;
    }

    private static String literal(InetAddress a, boolean v4) {
        if (v4 || a instanceof Inet6Address) {
            return a.getHostAddress().replaceFirst("%.*$", "");
        }
        return "::ffff:" + a.getHostAddress();
    }

    private static byte[] bytes(InetAddress a, boolean v4) {
        byte[] raw = a.getAddress();
        if (v4 || raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }
}
