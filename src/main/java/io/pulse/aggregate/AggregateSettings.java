package io.pulse.aggregate;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.pulse.config.SettingsCheck;
import io.quarkus.runtime.Startup;

/**
 * Checks {@code pulse.aggregate.*} at start (the window and the PostgreSQL timeouts are checked where they are
 * used). A retry back-off below the first retry's broke the retry itself at a batch's first failure, which left
 * the batch uncommitted and the partitions stalled until a restart; a check interval of 0 failed with a message
 * that named no setting.
 */
@Startup
@ApplicationScoped
public class AggregateSettings {

    public AggregateSettings(AggregateConfig config) {
        check(config);
    }

    static void check(AggregateConfig config) {
        new SettingsCheck()
                .atLeast("pulse.aggregate.max-retry-backoff", config.maxRetryBackoff(), RecentChangeAggregator.FIRST_RETRY)
                .atLeast("pulse.aggregate.lost-commits-check", config.lostCommitsCheck(), Duration.ofMillis(1))
                .atLeast("pulse.aggregate.stored-offsets-patience", config.storedOffsetsPatience(), Duration.ZERO)
                .atLeast("pulse.aggregate.allowed-lateness", config.allowedLateness(), Duration.ZERO)
                .orFail();
    }
}
