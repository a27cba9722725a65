package io.pulse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

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

    @Test
    void shouldKeepAnOperatorsOwnFetchBound() {
        Map<String, Object> config = KafkaClients.committedReader(
                Map.of("bootstrap.servers", "broker:9092", "fetch.max.bytes", "1048576"), "reader");

        assertThat(config).containsEntry(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "1048576");
    }
}
