package io.pulse.api;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the REST query API ({@code pulse.api.*}): they bound what one request may scan and return. */
@ConfigMapping(prefix = "pulse.api")
public interface ApiConfig {

    /** The longest time range one query may cover; longer ones are refused with 400. */
    @WithDefault("31d")
    Duration maxRange();

    /** The most points one time series may have (range / step); more are refused with 400. */
    @WithDefault("10000")
    int maxPoints();
}
