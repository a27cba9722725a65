package io.pulse.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What Pulse does about the Kafka topics its channels name ({@link KafkaTopics}). */
@ConfigMapping(prefix = "pulse.kafka")
public interface KafkaTopicsConfig {

    /**
     * Creates, at start, each topic a channel names that does not exist yet, with the brokers' defaults
     * (as a broker that creates topics on first use would). {@code false} where topics are created only
     * by their owners: then a missing topic is reported as an error at start.
     */
    @WithDefault("true")
    boolean createMissingTopics();
}
