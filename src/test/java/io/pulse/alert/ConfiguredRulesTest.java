package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The rules of application.properties are held to the admin endpoint's limits at start: a configured
 * cooldown of 0s was stored with the first change made through the endpoint, the stored rule was then
 * ignored as invalid, and every change went back to the configured values within seconds.
 */
class ConfiguredRulesTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void shouldStartWithTheDefaultsAndValuesWithinTheLimits() {
        RuleSet rules = AlertRules.withinLimits(AlertRules.defaults(config(Map.of(
                "pulse.alert.watched-user.cooldown", "1s", "pulse.alert.watched-user.users", "example_user",
                "pulse.alert.bot-surge.min-bot-share", "1"))), json);
        assertThat(((WatchedUserRule) rules.get(WatchedUserRule.NAME)).users()).containsExactly("Example user");
        assertThat(rules.get(WatchedUserRule.NAME).cooldownSeconds()).isEqualTo(1);
    }

    @Test
    void shouldRefuseToStartWithRulesTheAdminEndpointWouldRefuseNamingEachSetting() {
        RuleSet configured = AlertRules.defaults(config(Map.of("pulse.alert.watched-user.cooldown", "0s",
                "pulse.alert.page-spike.min-changes", "0", "pulse.alert.bot-surge.min-bot-share", "1.5")));

        assertThatThrownBy(() -> AlertRules.withinLimits(configured, json))
                .hasMessageContaining("pulse.alert.watched-user.cooldown: ")
                .hasMessageContaining("pulse.alert.page-spike.min-changes: ")
                .hasMessageContaining("pulse.alert.bot-surge.min-bot-share: ");
    }

    private static AlertConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(AlertConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build()
                .getConfigMapping(AlertConfig.class);
    }
}
