package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pulse.testkit.ConfigMappings;

/** The read limits are refused at start naming the property; the limiter's own message named none. */
class BoundedReadsSettingsTest {

    @Test
    void shouldNameTheReadLimitOutOfBounds() {
        assertThatCode(() -> new BoundedReads(null, ConfigMappings.of(ReadConfig.class, Map.of()), 20))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> new BoundedReads(null, ConfigMappings.of(ReadConfig.class,
                Map.of("pulse.store.max-concurrent-reads", "0")), 20)).hasMessageContaining("pulse.store.max-concurrent-reads");
        assertThatThrownBy(() -> new BoundedReads(null, ConfigMappings.of(ReadConfig.class,
                Map.of("pulse.store.max-queued-reads", "-1")), 20)).hasMessageContaining("pulse.store.max-queued-reads");
    }
}
