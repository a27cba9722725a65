package io.pulse.aggregate;

import java.time.Duration;

import io.pulse.config.SettingsCheck;

/**
 * Checks {@code pulse.aggregate.*} (the window and the lateness by {@link WindowSpec}'s rules, the PostgreSQL
 * timeouts where they are set): the lost-commits watch, a {@code @Startup} bean, calls it from its constructor, so
 * that the start stops, naming each (as a {@code @Startup} bean of its own, nothing ordered it before that watch,
 * whose ticker could fail first on an interval of 0, naming nothing); the aggregator, created lazily, calls it too. A retry
 * back-off below the first retry's broke the retry itself at a batch's first failure, which left the batch
 * uncommitted and the partitions stalled until a restart; a check interval of 0 failed with a message that named
 * no setting.
 */
final class AggregateSettings {

    private AggregateSettings() {
    }

    static void check(AggregateConfig config) {
        String window = null;
        try {
            WindowSpec.of(config.window(), config.allowedLateness());
        } catch (IllegalArgumentException e) {
            window = e.getMessage();
        }
        new SettingsCheck()
                .require(window == null, window)
                .atLeast("pulse.aggregate.max-retry-backoff", config.maxRetryBackoff(), RecentChangeAggregator.FIRST_RETRY)
                .atLeast("pulse.aggregate.lost-commits-check", config.lostCommitsCheck(), Duration.ofMillis(1))
                .atLeast("pulse.aggregate.stored-offsets-patience", config.storedOffsetsPatience(), Duration.ZERO)
                .orFail();
    }
}
