package io.pulse.api;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.pulse.aggregate.AggregateConfig;
import io.pulse.api.query.QueryParameters;
import io.pulse.api.query.TimeRange;
import io.pulse.config.SettingsCheck;
import io.quarkus.runtime.Startup;

/** Wires the pure parameter parser to the configuration: windows of the store, limits of the API. */
public class ApiBeans {

    /** At start, so that a limit out of bounds stops it rather than refusing every request later. */
    @Produces
    @Singleton
    @Startup
    QueryParameters queryParameters(ApiConfig api, AggregateConfig aggregate) {
        check(api, aggregate.window());
        return new QueryParameters(aggregate.window(), api.maxRange(), api.maxPoints(), Clock.systemUTC());
    }

    /**
     * A max-range under the default range (the last hour) refused every request without one, naming {@code last},
     * which the client never sent; {@code max-points=0} refused every time series.
     */
    static void check(ApiConfig api, Duration window) {
        Duration least = TimeRange.DEFAULT_LAST.compareTo(window) >= 0 ? TimeRange.DEFAULT_LAST : window;
        new SettingsCheck().atLeast("pulse.api.max-range", api.maxRange(), least)
                .atLeast("pulse.api.max-points", api.maxPoints(), 1)
                .orFail();
    }
}
