package io.pulse.replay;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

class ReplaySettingsTest {

    static ReplayConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(ReplayConfig.class).withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build().getConfigMapping(ReplayConfig.class);
    }

    @Test
    void shouldAcceptTheDefaultsAndNoPause() {
        assertThatCode(() -> ReplaySettings.check(config(Map.of("pulse.replay.enabled", "true")))).doesNotThrowAnyException();
        assertThatCode(() -> ReplaySettings.check(config(Map.of("pulse.replay.enabled", "true", "pulse.replay.events-per-second", "0"))))
                .doesNotThrowAnyException();
        assertThatCode(() -> ReplaySettings.check(config(Map.of("pulse.replay.heartbeat", "0s")))).as("not served")
                .doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseARateOrHeartbeatThatFailsEveryReplay() {
        for (String eps : new String[] { "-1", "2000000000" }) {
            assertThatThrownBy(() -> ReplaySettings.check(config(Map.of("pulse.replay.enabled", "true", "pulse.replay.events-per-second", eps))))
                    .as(eps).hasMessageContaining("pulse.replay.events-per-second");
        }
        assertThatThrownBy(() -> ReplaySettings.check(config(Map.of("pulse.replay.enabled", "true", "pulse.replay.heartbeat", "0s"))))
                .hasMessageContaining("pulse.replay.heartbeat");
    }
}
