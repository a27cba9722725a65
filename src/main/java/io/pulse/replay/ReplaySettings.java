package io.pulse.replay;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.pulse.config.SettingsCheck;
import io.quarkus.runtime.Startup;

/**
 * Checks {@code pulse.replay.*} at start, when the replay is served: a heartbeat of 0 failed every replay request,
 * and the ingest reading it reconnected for ever; so did a recording that is not there; a negative rate read as
 * unthrottled.
 */
@Startup
@ApplicationScoped
public class ReplaySettings {

    /** Ten million events a tick ({@link ReplayPace}): far beyond what a client reads. */
    static final int MAX_EVENTS_PER_SECOND = 1_000_000_000;

    public ReplaySettings(ReplayConfig config) {
        check(config);
    }

    static void check(ReplayConfig config) {
        if (!config.enabled()) {
            return; // not served: a value left from a former use does not stop the start
        }
        new SettingsCheck()
                .between("pulse.replay.events-per-second", config.eventsPerSecond(), 0, MAX_EVENTS_PER_SECOND)
                .atLeast("pulse.replay.heartbeat", config.heartbeat(), Duration.ofMillis(1))
                // Found, not read: loading it is left to the first replay (start-up time).
                .require(Thread.currentThread().getContextClassLoader().getResource(config.recording()) != null,
                        "pulse.replay.recording: no resource " + config.recording() + " on the classpath")
                .orFail();
    }
}
