package io.pulse.replay;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

/**
 * Checks {@code pulse.replay.*} at start, when the replay is served: a heartbeat of 0, or more than a billion events a second (a pause of 0),
 * failed every replay request, and the ingest reading it reconnected for ever; a negative rate read as unthrottled.
 */
@Startup
@ApplicationScoped
public class ReplaySettings {

    /** Beyond, the pause between two events is 0 ns, which the ticks refuse. */
    static final int MAX_EVENTS_PER_SECOND = 1_000_000_000;

    public ReplaySettings(ReplayConfig config) {
        check(config);
    }

    static void check(ReplayConfig config) {
        if (!config.enabled()) {
            return; // not served: a value left from a former use does not stop the start
        }
        List<String> problems = new ArrayList<>();
        if (config.eventsPerSecond() < 0 || config.eventsPerSecond() > MAX_EVENTS_PER_SECOND) {
            problems.add("pulse.replay.events-per-second must be 0 (no pause) to " + MAX_EVENTS_PER_SECOND + ", not "
                    + config.eventsPerSecond());
        }
        if (config.heartbeat().toMillis() < 1) {
            problems.add("pulse.replay.heartbeat must be at least 1ms, not " + config.heartbeat());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }
}
