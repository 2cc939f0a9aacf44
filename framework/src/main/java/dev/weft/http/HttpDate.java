package dev.weft.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} header value (IMF-fixdate, RFC 9110 section 5.6.7), formatted once per second
 * and shared by every connection. Thread-safe: one immutable pair published through a volatile.
 */
final class HttpDate {

    private record Formatted(long second, String value) {
    }

    /** Not RFC_1123_DATE_TIME: that one drops the leading zero of the day, IMF-fixdate keeps it. */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private static volatile Formatted current = new Formatted(Long.MIN_VALUE, "");

    private HttpDate() {
    }

    static String now() {
        long second = System.currentTimeMillis() / 1000;
        Formatted f = current;
        if (f.second != second) {
            f = new Formatted(second, IMF_FIXDATE.format(Instant.ofEpochSecond(second)));
            current = f;
        }
        return f.value;
    }
}
