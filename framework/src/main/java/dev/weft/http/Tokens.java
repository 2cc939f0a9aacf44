package dev.weft.http;

/** Character classes of RFC 9110 (tokens, field values) used by the parsers. */
final class Tokens {

    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private Tokens() {
    }

    /** Whether {@code s[from, to)} is a non-empty token. */
    static boolean isToken(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code b[from, to)} is a non-empty token. */
    static boolean isToken(byte[] b, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            int c = b[i];
            if (c < 0 || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    static boolean isToken(String s) {
        return isToken(s, 0, s.length());
    }

    /** Whether {@code c} may appear in a field value: VCHAR, obs-text, SP or HTAB; no other control. */
    static boolean isFieldValueChar(char c) {
        return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f && c <= 0xff);
    }

    /** Whether {@code c} may appear in a request-target: visible ASCII only. */
    static boolean isTargetChar(char c) {
        return c > 0x20 && c < 0x7f;
    }
}
