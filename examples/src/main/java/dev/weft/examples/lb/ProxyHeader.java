package dev.weft.examples.lb;

import java.util.Objects;

/**
 * One {@code proxy_set_header NAME VALUE;}: a request header field sent to the upstream instead
 * of the client's field of that name. An empty value means the field is not sent at all.
 *
 * @param name  the field name as written (compared without case)
 * @param value the value, evaluated per request
 */
public record ProxyHeader(String name, Value value) {

    public ProxyHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
