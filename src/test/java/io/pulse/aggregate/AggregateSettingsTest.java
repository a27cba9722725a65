package io.pulse.aggregate;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pulse.testkit.ConfigMappings;
import io.smallrye.mutiny.Uni;

class AggregateSettingsTest {

    static AggregateConfig config(Map<String, String> properties) {
        return ConfigMappings.of(AggregateConfig.class, properties);
    }

    @Test
    void shouldAcceptTheDefaults() {
        assertThatCode(() -> AggregateSettings.check(config(Map.of()))).doesNotThrowAnyException();
        assertThatCode(() -> AggregateSettings.check(config(Map.of("pulse.aggregate.max-retry-backoff", "200ms"))))
                .doesNotThrowAnyException();
    }

    /** Mutiny's back-off cannot run with a ceiling below its first delay: the batch's retry itself failed. */
    @Test
    void shouldRefuseARetryBackOffBelowTheFirstRetry() {
        assertThatThrownBy(() -> Uni.createFrom().failure(new IllegalStateException("refused")).onFailure().retry()
                .withBackOff(RecentChangeAggregator.FIRST_RETRY, Duration.ofMillis(100)).atMost(1)
                .await().atMost(Duration.ofSeconds(10)))
                .as("the failure without the check").isInstanceOf(IllegalArgumentException.class);
        for (String backoff : new String[] { "100ms", "0s", "-1s" }) {
            assertThatThrownBy(() -> AggregateSettings.check(config(Map.of("pulse.aggregate.max-retry-backoff", backoff))))
                    .as(backoff).hasMessageContaining("pulse.aggregate.max-retry-backoff");
        }
    }

    @Test
    void shouldRefuseNoCheckIntervalAndNegativeDurationsAndNameEach() {
        assertThatThrownBy(() -> AggregateSettings.check(config(Map.of("pulse.aggregate.lost-commits-check", "0s",
                "pulse.aggregate.stored-offsets-patience", "-1s"))))
                .hasMessageContaining("pulse.aggregate.lost-commits-check")
                .hasMessageContaining("pulse.aggregate.stored-offsets-patience");
        assertThatThrownBy(() -> AggregateSettings.check(config(Map.of("pulse.aggregate.allowed-lateness", "-1m",
                "pulse.aggregate.lost-commits-check", "0s"))))
                .hasMessageContaining("pulse.aggregate.allowed-lateness").hasMessageContaining("pulse.aggregate.lost-commits-check");
    }

    /** Checked by the lost-commits watch, a @Startup bean that messaging builds before the application's others. */
    @Test
    void shouldBeCheckedByTheBeansThatUseThem() {
        AggregateConfig zero = config(Map.of("pulse.aggregate.lost-commits-check", "0s"));
        assertThatThrownBy(() -> new LostCommitsWatch(null, zero, null)).hasMessageContaining("pulse.aggregate.lost-commits-check");
    }
}
