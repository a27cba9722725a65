package io.pulse.store;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Bounds on the query API's reads ({@code pulse.store.*}), enforced by PostgreSQL ({@link BoundedReads}). */
@ConfigMapping(prefix = "pulse.store")
public interface ReadConfig {

    /**
     * The longest one statement of {@code /api/*} (and of the dashboard's rankings) may run; PostgreSQL
     * cancels it after that, and the request is answered 503. 0 leaves reads unbounded.
     */
    @WithDefault("10s")
    Duration readTimeout();

    /**
     * Reads of the API and of {@code /metrics/stream} that hold a connection at once; they share the pool
     * ({@code quarkus.datasource.reactive.max-size}) with the aggregator, which keeps the rest.
     */
    @WithDefault("8")
    int maxConcurrentReads();

    /** Reads that wait for one of those; a read beyond them is answered 503 at once. */
    @WithDefault("32")
    int maxQueuedReads();
}
