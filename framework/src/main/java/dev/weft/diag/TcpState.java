package dev.weft.diag;

/** The states of a TCP socket, with the codes Linux uses in {@code /proc/net/tcp} (RFC 793 names). */
public enum TcpState {
    ESTABLISHED(0x01),
    SYN_SENT(0x02),
    SYN_RECV(0x03),
    FIN_WAIT1(0x04),
    FIN_WAIT2(0x05),
    TIME_WAIT(0x06),
    CLOSE(0x07),
    CLOSE_WAIT(0x08),
    LAST_ACK(0x09),
    LISTEN(0x0A),
    CLOSING(0x0B);

    private final int code;

    TcpState(int code) {
        this.code = code;
    }

    /** The state with this {@code /proc/net/tcp} code. */
    static TcpState ofCode(int code) {
        for (TcpState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown TCP state code " + code);
    }
}
