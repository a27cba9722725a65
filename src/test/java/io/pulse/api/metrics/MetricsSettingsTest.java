package io.pulse.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pulse.testkit.ConfigMappings;

class MetricsSettingsTest {

    static MetricsConfig config(Map<String, String> properties) {
        return ConfigMappings.of(MetricsConfig.class, properties);
    }

    @Test
    void shouldAcceptTheDefaults() {
        assertThatCode(() -> MetricsSettings.check(config(Map.of()))).doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseAnIntervalTheStreamCannotTickAt() {
        assertThatCode(() -> MetricsSettings.check(config(Map.of("pulse.metrics.interval", "30s")))).as("without the dashboard")
                .doesNotThrowAnyException();
        for (String interval : new String[] { "0s", "-1s", "1ms" }) {
            assertThatThrownBy(() -> MetricsSettings.check(config(Map.of("pulse.metrics.interval", interval))))
                    .as(interval).hasMessageContaining("pulse.metrics.interval");
            assertThatThrownBy(() -> MetricsSettings.check(config(Map.of("pulse.metrics.min-interval", interval))))
                    .as(interval).hasMessageContaining("pulse.metrics.min-interval");
        }
    }

    @Test
    void shouldTickAQuarterOfMinIntervalOnlyWhenCommitsBringSnapshotsForward() {
        assertThat(SnapshotHub.tick(config(Map.of()))).isEqualTo(Duration.ofMillis(50));
        assertThat(SnapshotHub.tick(config(Map.of("pulse.metrics.min-interval", "20ms")))).as("never under 10 ms")
                .isEqualTo(Duration.ofMillis(10));
        assertThat(SnapshotHub.tick(config(Map.of("pulse.metrics.min-interval", "500ms")))).as("not sooner than the interval")
                .isEqualTo(Duration.ofMillis(500));
        assertThat(SnapshotHub.tick(config(Map.of("pulse.metrics.interval", "100ms")))).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void shouldWaitTwoIntervalsAtLeastBeforeTakingASubscriberForStalled() {
        assertThat(SnapshotHub.stalledAfter(config(Map.of("pulse.metrics.interval", "30s")))).isEqualTo(Duration.ofMinutes(1));
        assertThat(SnapshotHub.stalledAfter(config(Map.of()))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldRefuseNoWindowsOrEntriesAndNameEach() {
        assertThatThrownBy(() -> MetricsSettings.check(config(Map.of("pulse.metrics.recent-windows", "0",
                "pulse.metrics.dashboard.history-windows", "-1", "pulse.metrics.dashboard.top-n", "0", "pulse.metrics.top-n", "0"))))
                .hasMessageContaining("pulse.metrics.recent-windows").hasMessageContaining("pulse.metrics.dashboard.history-windows")
                .hasMessageContaining("pulse.metrics.dashboard.top-n").hasMessageContaining("pulse.metrics.top-n");
    }
}
