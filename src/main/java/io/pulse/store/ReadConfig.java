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
}
