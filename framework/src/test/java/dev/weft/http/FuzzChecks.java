package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

/**
 * Invariants shared by the parsers' fuzz tests ({@link RequestHeadFuzzTest}, {@link ChunkedBodyFuzzTest},
 * {@link ResponseReaderFuzzTest}): what a refusal and a parsed field must look like.
 */
final class FuzzChecks {

    private FuzzChecks() {
    }

    /**
     * A refusal is one of the documented statuses, closes the connection (the framing is unknown
     * after it) and carries a one-line message fit for the peer: printable, no markup.
     */
    static void refusal(HttpException e, Set<Integer> statuses) {
        assertTrue(statuses.contains(e.status()), () -> "undocumented status " + e.status() + ": " + e.clientMessage());
        assertTrue(e.closesConnection(), () -> "a refusal that keeps the connection: " + e.clientMessage());
        String message = e.clientMessage();
        assertFalse(message == null || message.isEmpty(), "a refusal without a message");
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            assertTrue(c >= 0x20 && c < 0x7f && c != '<' && c != '>', () -> "message not fit for the peer: " + message);
        }
    }

    /**
     * A parsed field: the name a token, the value field-value characters only without OWS at its
     * ends; returns the least number of bytes its field line took ({@code name ":" value CRLF}).
     */
    static int field(String name, String value) {
        assertTrue(Tokens.isToken(name), () -> "field name is not a token: " + name);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            assertTrue(Tokens.isFieldValueChar(c), () -> "control character in the value of " + name);
        }
        assertFalse(!value.isEmpty() && (isOws(value.charAt(0)) || isOws(value.charAt(value.length() - 1))),
                () -> "OWS kept around the value of " + name);
        return name.length() + 1 + value.length() + 2;
    }

    /** {@link #field} for each field; returns the least number of bytes the section's lines took. */
    static int fields(Headers headers) {
        int bytes = 0;
        for (int i = 0; i < headers.size(); i++) {
            bytes += field(headers.name(i), headers.value(i));
        }
        return bytes;
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }
}
