package dev.weft.http;

import java.util.ArrayList;
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

    private final List<String> namesAndValues = new ArrayList<>(16);
    private boolean readOnly;

    /** Appends a field; an existing one of the same name is kept. */
    public Headers add(String name, String value) {
        checkWritable();
        namesAndValues.add(Objects.requireNonNull(name, "name"));
        namesAndValues.add(Objects.requireNonNull(value, "value"));
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
        for (int i = namesAndValues.size() - 2; i >= 0; i -= 2) {
            if (namesAndValues.get(i).equalsIgnoreCase(name)) {
                namesAndValues.remove(i + 1);
                namesAndValues.remove(i);
                removed = true;
            }
        }
        return removed;
    }

    /** The first value of this field, or {@code null}. */
    public String first(String name) {
        for (int i = 0; i < namesAndValues.size(); i += 2) {
            if (namesAndValues.get(i).equalsIgnoreCase(name)) {
                return namesAndValues.get(i + 1);
            }
        }
        return null;
    }

    /** Every value of this field, in order; empty if none. */
    public List<String> all(String name) {
        List<String> values = null;
        for (int i = 0; i < namesAndValues.size(); i += 2) {
            if (namesAndValues.get(i).equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(namesAndValues.get(i + 1));
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    /** How many fields carry this name. */
    public int count(String name) {
        int n = 0;
        for (int i = 0; i < namesAndValues.size(); i += 2) {
            if (namesAndValues.get(i).equalsIgnoreCase(name)) {
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
        for (int i = 0; i < namesAndValues.size(); i += 2) {
            if (namesAndValues.get(i).equalsIgnoreCase(name)) {
                for (String element : namesAndValues.get(i + 1).split(",")) {
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
        return namesAndValues.size() / 2;
    }

    /** The name of field {@code index}, as received. */
    public String name(int index) {
        return namesAndValues.get(index * 2);
    }

    /** The value of field {@code index}. */
    public String value(int index) {
        return namesAndValues.get(index * 2 + 1);
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
