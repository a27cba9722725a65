package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pulse.aggregate.AggregateConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Timeouts PostgreSQL would refuse stop the start, naming their setting, instead of failing every batch. */
class PostgresTimeoutTest {

    @Test
    void shouldSendWhatPostgresAcceptsInMilliseconds() {
        assertThat(PostgresTimeout.millis("p", Duration.ZERO)).isZero();
        assertThat(PostgresTimeout.millis("p", Duration.ofMillis(1))).isEqualTo(1);
        assertThat(PostgresTimeout.millis("p", Duration.ofSeconds(30))).isEqualTo(30_000);
        assertThat(PostgresTimeout.millis("p", Duration.ofMillis(Integer.MAX_VALUE))).isEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = { "-1s", "PT0.0005S", "25d" })
    void shouldRefuseWhatPostgresWouldRefuseOrReadAsNoLimit(String value) {
        Duration d = new io.quarkus.runtime.configuration.DurationConverter().convert(value);
        assertThatThrownBy(() -> PostgresTimeout.millis("pulse.x", d)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pulse.x must be 0 (no limit) or between 1ms and 596h31m23.647s");
    }

    @ParameterizedTest
    @ValueSource(strings = { "lock-timeout", "idle-transaction-timeout" })
    void shouldStopTheStoreFromStartingWithATimeoutPostgresRefuses(String setting) {
        AggregateConfig config = new SmallRyeConfigBuilder().withMapping(AggregateConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of("pulse.aggregate." + setting, "-1s"), "test", 100)).build()
                .getConfigMapping(AggregateConfig.class);

        assertThatThrownBy(() -> new AggregateStore(null, config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pulse.aggregate." + setting + " must be");
    }
}
