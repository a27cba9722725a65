package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

class AlertSettingsTest {

    static AlertConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(AlertConfig.class).withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build().getConfigMapping(AlertConfig.class);
    }

    @Test
    void shouldAcceptTheDefaults() {
        assertThatCode(() -> AlertSettings.check(config(Map.of()))).doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseEachSettingThatBreaksTheAlertsQuietly() {
        Map<String, String> bad = Map.of("pulse.alert.stream-buffer", "0", "pulse.alert.stream-heartbeat", "0s",
                "pulse.alert.max-tracked-pages", "0", "pulse.alert.bot-surge-lookback", "500ms", "pulse.alert.check-interval", "-1s");
        bad.forEach((property, value) -> assertThatThrownBy(() -> AlertSettings.check(config(Map.of(property, value))))
                .as(property).hasMessageContaining(property));
        assertThatThrownBy(() -> AlertSettings.check(config(Map.of("pulse.alert.stream-buffer", "-3"))))
                .hasMessageContaining("pulse.alert.stream-buffer");
    }
}
