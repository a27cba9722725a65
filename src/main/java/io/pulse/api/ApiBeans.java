package io.pulse.api;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.pulse.aggregate.AggregateConfig;
import io.pulse.api.query.QueryParameters;

/** Wires the pure parameter parser to the configuration: windows of the store, limits of the API. */
public class ApiBeans {

    @Produces
    @Singleton
    QueryParameters queryParameters(ApiConfig api, AggregateConfig aggregate) {
        return new QueryParameters(aggregate.window(), api.maxRange(), api.maxPoints(), Clock.systemUTC());
    }
}
