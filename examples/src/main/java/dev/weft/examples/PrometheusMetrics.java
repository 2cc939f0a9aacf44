package dev.weft.examples;

import dev.weft.http.HttpHandler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A {@code /metrics} page for an example: a Prometheus meter registry to give the servers, and the
 * handler that answers with its scrape in the Prometheus text format (version 0.0.4). Meter names
 * become Prometheus names ({@code http.server.requests} is {@code http_server_requests_seconds_count},
 * {@code _sum} and {@code _max}; counters end in {@code _total}). Thread-safe: the registry is, and a
 * scrape reads the meters without stopping them.
 *
 * <pre>{@code
 * PrometheusMetrics metrics = new PrometheusMetrics();
 * HttpServer.builder().meterRegistry(metrics.registry()).get("/metrics", metrics.handler())...
 * }</pre>
 */
public final class PrometheusMetrics {

    /** The text format's content type, as Prometheus asks for it. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** The registry the servers should record into. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Every meter of {@link #registry()} in the text format. */
    public String scrape() {
        return registry.scrape();
    }

    /** Answers with {@link #scrape()}, {@link #CONTENT_TYPE}, whatever the request. */
    public HttpHandler handler() {
        return (req, res) -> {
            res.header("Content-Type", CONTENT_TYPE);
            res.send(scrape());
        };
    }
}
