package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.http.RequestHead.TargetForm;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One raw request of the parser table and what parsing it must give: either a request (line,
 * form, some fields, body, trailers) or a refusal with an exact status that closes the connection.
 *
 * @param name        what the case shows, used as the test's display name
 * @param raw         the bytes as ISO-8859-1 text: CR and LF written out, so line endings are visible
 * @param requestLine the expected {@code method target version}, null for a refused request
 * @param form        the expected target form, null for a refused request
 * @param fields      fields to check: name to every value, in order (an empty list means absent)
 * @param body        the expected body bytes as ISO-8859-1 text
 * @param trailers    trailer fields to check, same shape as {@code fields}; none expected if empty
 * @param status      the expected status of a refused request, 0 for a request that parses
 * @param reason      words the refusal's client message must contain, null to not check it
 */
record TableCase(String name, String raw, String requestLine, TargetForm form,
        List<Map.Entry<String, List<String>>> fields, String body,
        List<Map.Entry<String, List<String>>> trailers, int status, String reason) {

    /** A request that must parse to {@code requestLine} in {@code form}, with no body unless given. */
    static TableCase ok(String name, String raw, String requestLine, TargetForm form) {
        return new TableCase(name, raw, requestLine, form, List.of(), "", List.of(), 0, null);
    }

    /** A request that must be refused with {@code status}, closing the connection. */
    static TableCase bad(String name, String raw, int status) {
        return new TableCase(name, raw, null, null, List.of(), "", List.of(), status, null);
    }

    /** The request line and field lines joined with CRLF, ending with the empty line. */
    static String head(String... lines) {
        return String.join("\r\n", lines) + "\r\n\r\n";
    }

    /** Also checks that field {@code name} has exactly {@code values}, in this order. */
    TableCase header(String fieldName, String... values) {
        return new TableCase(name, raw, requestLine, form, plus(fields, fieldName, values),
                body, trailers, status, reason);
    }

    TableCase body(String expected) {
        return new TableCase(name, raw, requestLine, form, fields, expected, trailers, status, reason);
    }

    TableCase trailer(String fieldName, String... values) {
        return new TableCase(name, raw, requestLine, form, fields, body,
                plus(trailers, fieldName, values), status, reason);
    }

    /**
     * Also checks the refusal's reason: where several rules reject the same bytes with the same
     * status, this pins the rule that must fire first (the later ones would hide its removal).
     */
    TableCase because(String words) {
        return new TableCase(name, raw, requestLine, form, fields, body, trailers, status, words);
    }

    boolean valid() {
        return status == 0;
    }

    byte[] bytes() {
        return raw.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Asserts that {@code outcome}, the parse of {@link #raw}, is what this case expects. */
    void verify(RequestFixture.Outcome outcome) {
        if (valid()) {
            verifyParsed(outcome);
        } else {
            verifyRefused(outcome);
        }
    }

    private void verifyParsed(RequestFixture.Outcome outcome) {
        if (outcome.error() != null) {
            fail("expected a request, got " + outcome.error().status() + " " + outcome.error().clientMessage());
        }
        assertEquals(1, outcome.requests().size(), "requests parsed");
        ParsedRequest request = outcome.requests().get(0);
        RequestHead head = request.head();
        assertEquals(requestLine, head.method() + " " + head.target() + " " + head.version(), "request line");
        assertEquals(form, head.form(), "target form");
        for (Map.Entry<String, List<String>> field : fields) {
            assertEquals(field.getValue(), head.headers().all(field.getKey()), "field " + field.getKey());
        }
        assertEquals(body, request.bodyText(), "body");
        if (trailers.isEmpty()) {
            assertEquals(0, request.trailers().size(), "trailer fields");
        }
        for (Map.Entry<String, List<String>> field : trailers) {
            assertEquals(field.getValue(), request.trailers().all(field.getKey()), "trailer " + field.getKey());
        }
    }

    private void verifyRefused(RequestFixture.Outcome outcome) {
        HttpException error = outcome.error();
        assertNotNull(error, "expected " + status + ", but the request parsed");
        assertEquals(List.of(), outcome.requests(), "requests parsed before the refusal");
        assertEquals(status, error.status(), () -> "status; message was: " + error.clientMessage());
        assertTrue(error.closesConnection(), "closesConnection");
        String message = error.clientMessage();
        assertFalse(message.isBlank(), "client message");
        if (reason != null) {
            assertTrue(message.contains(reason), () -> "client message \"" + message + "\" lacks \"" + reason + "\"");
        }
        for (char c : message.toCharArray()) {
            assertTrue(c >= 0x20 && c < 0x7f && c != '<',
                    () -> "client message is not plain one-line text: " + message);
        }
        assertNull(error.getCause(), "cause");
    }

    private static List<Map.Entry<String, List<String>>> plus(List<Map.Entry<String, List<String>>> list,
            String fieldName, String... values) {
        List<Map.Entry<String, List<String>>> copy = new ArrayList<>(list);
        copy.add(Map.entry(fieldName, List.of(values)));
        return List.copyOf(copy);
    }

    @Override
    public String toString() {
        return (valid() ? "ok: " : status + ": ") + name;
    }
}
