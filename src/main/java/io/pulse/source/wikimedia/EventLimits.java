package io.pulse.source.wikimedia;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Sanity limits an event must meet to be aggregated. Event time is bounded on both sides:
 * a far-future timestamp would drag the watermark forward and make every honest event "late",
 * and nothing predates Wikipedia. Old recordings (years back) are legitimate replays.
 */
public record EventLimits(int maxEventChars, Duration maxFutureSkew, Instant earliestEventTime, Clock clock) {

    public static final Instant WIKIPEDIA_LAUNCH = Instant.parse("2001-01-15T00:00:00Z");

    public static EventLimits defaults() {
        return new EventLimits(512 * 1024, Duration.ofHours(1), WIKIPEDIA_LAUNCH, Clock.systemUTC());
    }

    /** @return null when acceptable, else the reason */
    String checkEventTime(long eventTimeMs) {
        if (eventTimeMs < earliestEventTime.toEpochMilli()) {
            return "event time before " + earliestEventTime;
        }
        if (eventTimeMs > clock.millis() + maxFutureSkew.toMillis()) {
            return "event time more than " + maxFutureSkew + " in the future";
        }
        return null;
    }
}
