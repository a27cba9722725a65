package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pulse.testkit.ConfigMappings;

class AlertSettingsTest {

    static AlertConfig config(Map<String, String> properties) {
        return ConfigMappings.of(AlertConfig.class, properties);
    }

    @Test
    void shouldAcceptTheDefaults() {
        assertThatCode(() -> AlertSettings.check(config(Map.of()))).doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseEachSettingThatBreaksTheAlertsQuietly() {
        Map<String, String> bad = Map.of("pulse.alert.stream-buffer", "0", "pulse.alert.stream-heartbeat", "0s",
                "pulse.alert.max-tracked-pages", "0", "pulse.alert.bot-surge-lookback", "500ms", "pulse.alert.check-interval", "-1s",
                "pulse.alert.stream-stalled-after", "0s");
        bad.forEach((property, value) -> assertThatThrownBy(() -> AlertSettings.check(config(Map.of(property, value))))
                .as(property).hasMessageContaining(property));
        assertThatThrownBy(() -> AlertSettings.check(config(Map.of("pulse.alert.stream-buffer", "-3"))))
                .hasMessageContaining("pulse.alert.stream-buffer");
    }
}
