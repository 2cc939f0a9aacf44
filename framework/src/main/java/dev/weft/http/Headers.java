package dev.weft.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Header fields in the order received, repeats kept, looked up without regard to case.
 *
 * <p>Mutable while a message is being built or parsed; a request's headers are handed to handlers
 * read-only. Lookups scan the list: a request has tens of fields, where a hash map costs more than
 * it saves. Not thread-safe.
 */
public final class Headers {

    /** Name, value, name, value, ...: the first {@code 2 * size} slots are in use. */
    private String[] namesAndValues = new String[8];
    private int length;
    private boolean readOnly;

    /**
     * Checks that a field cannot split a message head: the name a token, the value free of
     * control characters other than tab and of characters beyond Latin-1 (which would be narrowed
     * to a byte on the wire: U+560A would leave as LF).
     *
     * @throws IllegalArgumentException if it could
     */
    public static void check(String name, String value) {
        if (!Tokens.isToken(name)) {
            throw new IllegalArgumentException("header name is not a token: " + name);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException("header " + name + " has a control or non-Latin-1 character");
            }
        }
    }

    /** Appends a field; an existing one of the same name is kept. */
    public Headers add(String name, String value) {
        checkWritable();
        if (length + 2 > namesAndValues.length) {
            namesAndValues = Arrays.copyOf(namesAndValues, namesAndValues.length * 2);
        }
        namesAndValues[length] = Objects.requireNonNull(name, "name");
        namesAndValues[length + 1] = Objects.requireNonNull(value, "value");
        length += 2;
        return this;
    }

    /** Replaces every field of this name with one. */
    public Headers set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    /** Removes every field of this name; true if there was one. */
    public boolean remove(String name) {
        checkWritable();
        boolean removed = false;
        for (int i = length - 2; i >= 0; i -= 2) {
            if (same(namesAndValues[i], name)) {
                System.arraycopy(namesAndValues, i + 2, namesAndValues, i, length - i - 2);
                length -= 2;
                namesAndValues[length] = null;
                namesAndValues[length + 1] = null;
                removed = true;
            }
        }
        return removed;
    }

    /** The first value of this field, or {@code null}. */
    public String first(String name) {
        for (int i = 0; i < length; i += 2) {
            if (same(namesAndValues[i], name)) {
                return namesAndValues[i + 1];
            }
        }
        return null;
    }

    /** Every value of this field, in order; empty if none. */
    public List<String> all(String name) {
        List<String> values = null;
        for (int i = 0; i < length; i += 2) {
            if (same(namesAndValues[i], name)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(namesAndValues[i + 1]);
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    /** How many fields carry this name. */
    public int count(String name) {
        int n = 0;
        for (int i = 0; i < length; i += 2) {
            if (same(namesAndValues[i], name)) {
                n++;
            }
        }
        return n;
    }

    /** Whether a field of this name exists. */
    public boolean contains(String name) {
        return first(name) != null;
    }

    /**
     * Whether any value of this field, read as a comma-separated list, holds {@code token}
     * (case-insensitive), as in {@code Connection: keep-alive, Upgrade}.
     */
    public boolean containsToken(String name, String token) {
        for (int i = 0; i < length; i += 2) {
            if (same(namesAndValues[i], name)) {
                for (String element : namesAndValues[i + 1].split(",")) {
                    if (element.strip().equalsIgnoreCase(token)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The number of fields. */
    public int size() {
        return length / 2;
    }

    /** The name of field {@code index}, as received. */
    public String name(int index) {
        return namesAndValues[checkIndex(index) * 2];
    }

    /** The value of field {@code index}. */
    public String value(int index) {
        return namesAndValues[checkIndex(index) * 2 + 1];
    }

    /** Field names compare without case; the parser's and the code's literals are often the same object. */
    private static boolean same(String a, String b) {
        return a == b || a.equalsIgnoreCase(b);
    }

    private int checkIndex(int index) {
        return Objects.checkIndex(index, length / 2);
    }

    Headers readOnly() {
        readOnly = true;
        return this;
    }

    private void checkWritable() {
        if (readOnly) {
            throw new UnsupportedOperationException("these headers are read-only");
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < size(); i++) {
            b.append(name(i)).append(": ").append(value(i)).append('\n');
        }
        return b.toString();
    }
}
