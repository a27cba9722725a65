package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.LocalKafka;

/**
 * Brokers that do not create topics on first use (managed Kafka, usually): Pulse creates the topics
 * its channels name at start, the election's among them, so a replica is elected and reads the feed.
 * Before, nothing was ingested there until someone created {@code pulse.ingest.leader} by hand, and
 * nothing but the Kafka client's warnings said so.
 */
class TopicCreationIT {

    static final Duration PATIENCE = Duration.ofSeconds(120);

    @Test
    void shouldCreateItsTopicsWhereTheBrokersDoNotAndReadTheFeed() throws Exception {
        FaultFixture.infra();
        FaultFixture.forgetIngestPosition();
        String wiki = "topiccreationwiki";
        String topic = "pulse.faults.created";
        List<String> events = FaultFixture.events(wiki, 600, 43);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (LocalKafka kafka = LocalKafka.throwaway().brokerConfig("auto.create.topics.enable", "false")
                .brokerConfig("num.partitions", "2").start();
                TestSseServer feed = new TestSseServer().start();
                PulseProcess pulse = FaultFixture.ingesting("topic-creation", feed, topic, "topic-creation-group")
                        .env("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers())) {
            pulse.start().awaitReady(PATIENCE);
            feed.append(events);
            FaultFixture.awaitCounted(wiki, events.size());
            FaultFixture.assertExactTotals(expected, wiki);

            try (Admin admin = kafka.admin()) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .contains(topic, "pulse.ingest.leader", "pulse.wikimedia.recentchange.dlq", "pulse.alerts");
                // Created with the brokers' defaults, as auto-creation would have.
                assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(topic).partitions()).hasSize(2);
            }
            assertThat(pulse.logText()).contains("Created Kafka topic pulse.ingest.leader");
        }
    }
}
