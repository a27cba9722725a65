package io.pulse.source.wikimedia;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pulse.testkit.ConfigMappings;

/** Each setting that failed later and unsaid is refused at start, named; the defaults and sound values pass. */
class WikimediaSettingsTest {

    static WikimediaConfig config(String... keysAndValues) {
        Map<String, String> properties = new HashMap<>(Map.of("pulse.wikimedia.user-agent", "Pulse/test (test@example.org)"));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return ConfigMappings.of(WikimediaConfig.class, properties);
    }

    @Test
    void shouldAcceptTheDefaultsAndSoundValues() {
        assertThatCode(() -> WikimediaSettings.check(config())).doesNotThrowAnyException();
        assertThatCode(() -> WikimediaSettings.check(config("pulse.wikimedia.url", "http://localhost:8080/replay/wikimedia/recentchange",
                "pulse.wikimedia.filter.types", "edit, new", "pulse.wikimedia.connection.jitter", "0",
                "pulse.wikimedia.ingest.stalled-after", "0s",
                "pulse.wikimedia.connection.initial-backoff", "2s", "pulse.wikimedia.connection.max-backoff", "2s")))
                .doesNotThrowAnyException();
        assertThatCode(() -> WikimediaSettings.check(config("pulse.wikimedia.enabled", "false",
                "pulse.wikimedia.ingest.commit-interval", "0s", "pulse.wikimedia.url", "ws://elsewhere")))
                .as("not read here: the feed's settings do not stop an aggregating replica").doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseEachSettingThatFailedLater() {
        String[][] bad = {
                { "pulse.wikimedia.ingest.commit-interval", "0s" },
                { "pulse.wikimedia.ingest.checkpoint-interval", "0s" },
                { "pulse.wikimedia.ingest.max-in-flight", "0" },
                { "pulse.wikimedia.ingest.max-unsettled", "0" },
                { "pulse.wikimedia.ingest.max-unsaved", "-1" },
                { "pulse.wikimedia.ingest.dedup-capacity", "0" },
                { "pulse.wikimedia.ingest.resume-margin", "-1" },
                { "pulse.wikimedia.ingest.read-back-timeout", "0s" },
                { "pulse.wikimedia.ingest.stalled-after", "-1s" },
                { "pulse.wikimedia.connection.connect-timeout", "0s" },
                { "pulse.wikimedia.connection.idle-timeout", "0s" },
                { "pulse.wikimedia.connection.initial-backoff", "0s" },
                { "pulse.wikimedia.connection.max-backoff", "500ms" }, // below the initial 1s
                { "pulse.wikimedia.connection.jitter", "30" },
                { "pulse.wikimedia.connection.jitter", "-0.1" },
                { "pulse.wikimedia.connection.jitter", "NaN" },
                { "pulse.wikimedia.url", "localhost:8080/replay" },
                { "pulse.wikimedia.url", "ws://stream.example.org/recentchange" },
                { "pulse.wikimedia.user-agent", " " },
                { "pulse.wikimedia.filter.types", "edit,Edits" },
                { "pulse.wikimedia.limits.max-event-bytes", "2147483647" },
                { "pulse.wikimedia.limits.max-event-bytes", "0" },
                { "pulse.wikimedia.limits.max-future-skew", "-1m" },
        };
        for (String[] setting : bad) {
            String property = setting[0];
            assertThatThrownBy(() -> WikimediaSettings.check(config(property, setting[1])))
                    .as(property + "=" + setting[1]).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(property);
        }
    }

    @Test
    void shouldCheckTheParsersLimitsAlsoWhereTheFeedIsNotRead() {
        assertThatThrownBy(() -> WikimediaSettings.check(config("pulse.wikimedia.enabled", "false",
                "pulse.wikimedia.limits.max-event-bytes", "2147483647")))
                .hasMessageContaining("pulse.wikimedia.limits.max-event-bytes");
    }
}
