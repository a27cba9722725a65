package io.pulse.testkit;

import java.time.Duration;
import java.util.Map;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** A {@code @ConfigMapping} read from the given properties and its defaults, durations as Quarkus reads them. */
public final class ConfigMappings {

    private ConfigMappings() {
    }

    public static <T> T of(Class<T> mapping, Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(mapping).withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build().getConfigMapping(mapping);
    }
}
