package io.pulse.source.wikimedia;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the plain (framework-free) Wikimedia classes as beans. */
public class WikimediaBeans {

    @Produces
    @Singleton
    RecentChangeParser parser(WikimediaConfig config) {
        return new RecentChangeParser(new EventLimits(config.limits().maxEventBytes(),
                config.limits().maxFutureSkew(), EventLimits.WIKIPEDIA_LAUNCH, Clock.systemUTC()));
    }
}
