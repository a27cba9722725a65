package io.pulse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.PulseInfra;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The settings of Pulse's own Kafka readers (the published tail at a leader's start, the lost-commit re-read). */
class KafkaClientsTest {

    @Test
    void shouldBoundAReadersFetchResponsesLikeTheAggregatorsChannel() {
        Map<String, Object> config = KafkaClients.committedReader(
                Map.of("bootstrap.servers", "broker:9092", "group.id", "pulse-aggregator"), "reader");

        // Kafka's 50 MB default would pass the 96 MB of direct memory with a second wide reader.
        assertThat(config).containsEntry(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 8 * 1024 * 1024)
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .containsEntry(ConsumerConfig.CLIENT_ID_CONFIG, "reader")
                .containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
    }

    /** A channel's producer setting given as an environment variable only, as on Kubernetes, is the leader's too. */
    @Test
    void shouldTakeAChannelsProducerSettingsGivenAsEnvironmentVariables() {
        Config config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of("MP_MESSAGING_OUTGOING_WIKIMEDIA_EVENTS_OUT_COMPRESSION_TYPE", "zstd"), 300))
                .withSources(new PropertiesConfigSource(Map.of("mp.messaging.outgoing.wikimedia-events-out.linger.ms", "20",
                        "mp.messaging.outgoing.wikimedia-events-out.topic", "events"), "properties", 250))
                .build();

        Map<String, Object> settings = KafkaClients.producerSettings(Map.of("bootstrap.servers", "broker:9092"), config,
                "wikimedia-events-out");

        assertThat(settings).containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd")
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "20")
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .doesNotContainKey("topic");
    }

    @Test
    void shouldKeepAnOperatorsOwnFetchBound() {
        Map<String, Object> config = KafkaClients.committedReader(
                Map.of("bootstrap.servers", "broker:9092", "fetch.max.bytes", "1048576"), "reader");

        assertThat(config).containsEntry(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "1048576");
    }

    /**
     * A setting read through a Kafka config provider (a SASL password kept in a file, {@code ${file:...}}): the
     * provider's own settings are no client's names, were left out, and the value stayed unresolved; every client
     * Pulse builds itself failed where the channels' worked. Here the broker's address is the value in the file.
     */
    @Test
    void shouldKeepAConfigProvidersSettingsSoThatAValueInAFileIsRead() throws Exception {
        Path secrets = Files.createTempFile("pulse-kafka-", ".properties");
        try {
            Files.writeString(secrets, "servers=" + PulseInfra.get().bootstrapServers() + "\n");
            Map<String, Object> kafka = Map.of("bootstrap.servers", "${file:" + secrets + ":servers}",
                    "config.providers", "file",
                    "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider",
                    "group.id", "pulse-aggregator");

            Map<String, Object> settings = KafkaClients.settings(kafka, AdminClientConfig.configNames());

            assertThat(settings).containsKey("config.providers.file.class").doesNotContainKey("group.id");
            try (Admin admin = Admin.create(settings)) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).isNotEmpty();
            }
        } finally {
            Files.deleteIfExists(secrets);
        }
    }
}
