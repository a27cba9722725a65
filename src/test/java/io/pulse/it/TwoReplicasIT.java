package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import io.pulse.testkit.PulseInfra;

/**
 * Two Pulse processes (the packaged application) in one consumer group on a four-partition topic,
 * sharing one broker and one database: each aggregates part of the stream, and each serves
 * metrics for the whole of it.
 */
class TwoReplicasIT {

    /** A topic and group of its own: other tests' processes auto-create the default topic with one partition. */
    static final String TOPIC = "pulse.replicas.recentchange";
    static final String GROUP = "pulse-replicas";
    static PulseInfra infra;
    static final List<PulseProcess> replicas = new ArrayList<>();

    @BeforeAll
    static void startTwoReplicas() throws Exception {
        infra = PulseInfra.get();
        infra.kafka().createTopic(TOPIC, 4);
        for (int i = 0; i < 2; i++) {
            replicas.add(PulseProcess.aggregator("replica-" + i).consuming(TOPIC, GROUP).launch());
        }
        for (PulseProcess r : replicas) {
            r.awaitStarted();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                    .until(() -> r.get("/q/health/ready").statusCode() == 200);
        }
        // Ready is not enough: wait until the group has settled with partitions on both members.
        try (Admin admin = infra.kafka().admin()) {
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP))
                        .describedGroups().get(GROUP).get();
                return group.members().size() == 2
                        && group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
            });
        }
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        for (PulseProcess r : replicas) {
            r.terminate();
        }
    }

    @Test
    void shouldServeTotalsOfTheWholeStreamFromEitherReplica() throws Exception {
        String wiki = "replicawiki";
        long now = Instant.now().getEpochSecond();
        int events = 200;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < events; i++) {
                String title = "Page " + (i % 40);
                String event = DeadLetterTest.event("replica-" + i, wiki, now - (i % 30))
                        .replace("\"title\":\"Dead letters\"", "\"title\":\"" + title + "\"");
                producer.send(new ProducerRecord<>(TOPIC, wiki + ":" + title, event));
            }
        }

        List<SseTestClient> clients = replicas.stream()
                .map(r -> new SseTestClient(r.url("/metrics/stream?wiki=" + wiki))).toList();
        try {
            for (SseTestClient client : clients) {
                await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() ->
                        assertThat(client.last().data().get("recent").get("changes").asLong()).isEqualTo(events));
            }
        } finally {
            clients.forEach(SseTestClient::close);
        }
        // Both replicas did part of the work: the totals above are not one replica's partitions.
        long total = 0;
        for (PulseProcess r : replicas) {
            long committed = r.readiness().data().get("aggregator.committedEvents").asLong();
            assertThat(committed).as("replica on port %d aggregated some events", r.port()).isPositive();
            total += committed;
        }
        assertThat(total).isEqualTo(events);
    }
}
