package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pulse.testkit.ConfigMappings;

class RankingsSettingsTest {

    private static RankingsConfig config(Map<String, String> properties) {
        return ConfigMappings.of(RankingsConfig.class, properties);
    }

    @Test
    void shouldAcceptTheDefaultsAndNoCachedList() {
        assertThatCode(() -> RankingsSettings.check(config(Map.of()))).doesNotThrowAnyException();
        assertThatCode(() -> RankingsSettings.check(config(Map.of("pulse.rankings.cached-lists", "0"))))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldNameEverySettingOutOfBounds() {
        assertThatThrownBy(() -> RankingsSettings.check(config(Map.of("pulse.rankings.candidates-per-window", "0",
                "pulse.rankings.cached-lists", "-1", "pulse.rankings.min-windows", "0"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pulse.rankings.candidates-per-window")
                .hasMessageContaining("pulse.rankings.cached-lists")
                .hasMessageContaining("pulse.rankings.min-windows");
    }
}
