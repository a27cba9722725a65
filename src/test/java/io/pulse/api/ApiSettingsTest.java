package io.pulse.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pulse.testkit.ConfigMappings;

class ApiSettingsTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private static ApiConfig config(Map<String, String> properties) {
        return ConfigMappings.of(ApiConfig.class, properties);
    }

    @Test
    void shouldAcceptTheDefaults() {
        assertThatCode(() -> ApiBeans.check(config(Map.of()), MINUTE)).doesNotThrowAnyException();
        assertThatCode(() -> ApiBeans.check(config(Map.of("pulse.api.max-range", "1h", "pulse.api.max-points", "1")), MINUTE))
                .doesNotThrowAnyException();
    }

    /** Under the default range, every request without one was refused, naming "last", which it never sent. */
    @Test
    void shouldRefuseAMaxRangeShorterThanTheDefaultRangeOrAWindow() {
        assertThatThrownBy(() -> ApiBeans.check(config(Map.of("pulse.api.max-range", "30m")), MINUTE))
                .hasMessageContaining("pulse.api.max-range must be at least PT1H");
        assertThatThrownBy(() -> ApiBeans.check(config(Map.of("pulse.api.max-range", "1h")), Duration.ofHours(2)))
                .hasMessageContaining("pulse.api.max-range must be at least PT2H");
    }

    @Test
    void shouldRefuseNoPointsAndNameEverySettingOutOfBounds() {
        assertThatThrownBy(() -> ApiBeans.check(config(Map.of("pulse.api.max-range", "0s", "pulse.api.max-points", "0")), MINUTE))
                .hasMessageContaining("pulse.api.max-range").hasMessageContaining("pulse.api.max-points must be at least 1");
    }
}
