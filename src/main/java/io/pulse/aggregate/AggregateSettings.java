package io.pulse.aggregate;

import java.time.Duration;

import io.pulse.config.SettingsCheck;

/**
 * Checks {@code pulse.aggregate.*} where they are first used: the aggregator and the lost-commits watch call it from
 * their constructors, which the messaging start-up runs before any {@code @Startup} bean of the application (the
 * window and the lateness are checked by {@link WindowSpec}, the PostgreSQL timeouts where they are set). A retry
 * back-off below the first retry's broke the retry itself at a batch's first failure, which left the batch
 * uncommitted and the partitions stalled until a restart; a check interval of 0 failed with a message that named
 * no setting.
 */
final class AggregateSettings {

    private AggregateSettings() {
    }

    static void check(AggregateConfig config) {
        new SettingsCheck()
                .atLeast("pulse.aggregate.max-retry-backoff", config.maxRetryBackoff(), RecentChangeAggregator.FIRST_RETRY)
                .atLeast("pulse.aggregate.lost-commits-check", config.lostCommitsCheck(), Duration.ofMillis(1))
                .atLeast("pulse.aggregate.stored-offsets-patience", config.storedOffsetsPatience(), Duration.ZERO)
                .orFail();
    }
}
