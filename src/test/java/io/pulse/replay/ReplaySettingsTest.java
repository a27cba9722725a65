package io.pulse.replay;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pulse.testkit.ConfigMappings;

class ReplaySettingsTest {

    static ReplayConfig config(Map<String, String> properties) {
        return ConfigMappings.of(ReplayConfig.class, properties);
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

    @Test
    void shouldRefuseARecordingThatIsNotThere() {
        assertThatThrownBy(() -> ReplaySettings.check(config(Map.of("pulse.replay.enabled", "true",
                "pulse.replay.recording", "recordings/missing.jsonl.gz"))))
                .hasMessageContaining("pulse.replay.recording").hasMessageContaining("recordings/missing.jsonl.gz");
    }
}
