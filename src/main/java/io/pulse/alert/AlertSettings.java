package io.pulse.alert;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.pulse.config.SettingsCheck;
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
        new SettingsCheck()
                .atLeast("pulse.alert.check-interval", config.checkInterval(), Duration.ofMillis(1))
                .atLeast("pulse.alert.stream-heartbeat", config.streamHeartbeat(), Duration.ofMillis(1))
                .atLeast("pulse.alert.stream-stalled-after", config.streamStalledAfter(), Duration.ofMillis(1))
                .atLeast("pulse.alert.bot-surge-lookback", config.botSurgeLookback(), Duration.ofSeconds(1))
                .atLeast("pulse.alert.max-tracked-pages", config.maxTrackedPages(), 1)
                .atLeast("pulse.alert.stream-buffer", config.streamBuffer(), 1)
                .atLeast("pulse.alert.max-subscribers", config.maxSubscribers(), 0)
                .orFail();
    }
}
