package io.pulse.alert;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

/**
 * Checks {@code pulse.alert.*} at start (the rules' own settings are checked by {@link AlertRules}). Out of bounds,
 * they broke things later and quietly: a heartbeat of 0 failed every {@code /alerts/stream}, a buffer of 0 let a
 * slow subscriber's grow without bound (negative: every replay refused by PostgreSQL), no tracked page or a
 * lookback under a second silenced a rule.
 */
@Startup
@ApplicationScoped
public class AlertSettings {

    public AlertSettings(AlertConfig config) {
        check(config);
    }

    static void check(AlertConfig config) {
        List<String> problems = new ArrayList<>();
        positive(problems, "pulse.alert.check-interval", config.checkInterval());
        positive(problems, "pulse.alert.stream-heartbeat", config.streamHeartbeat());
        if (config.botSurgeLookback().compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add("pulse.alert.bot-surge-lookback must be at least 1s, not " + config.botSurgeLookback());
        }
        if (config.maxTrackedPages() < 1) {
            problems.add("pulse.alert.max-tracked-pages must be at least 1, not " + config.maxTrackedPages());
        }
        if (config.streamBuffer() < 1) {
            problems.add("pulse.alert.stream-buffer must be at least 1, not " + config.streamBuffer());
        }
        if (config.maxSubscribers() < 0) {
            problems.add("pulse.alert.max-subscribers must be 0 or more, not " + config.maxSubscribers());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    private static void positive(List<String> problems, String property, Duration value) {
        if (value.toMillis() < 1) {
            problems.add(property + " must be at least 1ms, not " + value);
        }
    }
}
