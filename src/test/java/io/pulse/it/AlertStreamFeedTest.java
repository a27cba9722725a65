package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.alert.Alert;
import io.pulse.alert.AlertFeed;
import io.pulse.alert.AlertHub;
import io.pulse.alert.Severity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * /alerts/stream shows the alerts another replica raised: they reach this process only through
 * pulse.alerts, written here by the test as that replica's producer would. A send retried after a
 * lost acknowledgement (the same alert twice on the topic) is streamed once; records that are not
 * alerts are skipped and counted, and the stream goes on. And where a replica starts reading the
 * topic, on a broker's real offsets and timestamps.
 */
@QuarkusTest
@QuarkusTestResource(value = AdminKeyResource.class, restrictToAnnotatedClass = false)
class AlertStreamFeedTest {

    @TestHTTPResource("/alerts/stream")
    String streamUrl;

    @Inject
    ObjectMapper json;

    @Inject
    AlertHub hub;

    @Test
    void shouldStreamAnotherReplicasAlertsOnceAndSkipRecordsThatAreNotAlerts() throws Exception {
        String wiki = "feed" + System.nanoTime() % 1_000_000_000L + "wiki";
        Instant incident = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Alert spike = alert("page-spike", Severity.WARNING, wiki, "Edit war", 41L, incident);
        Alert blanking = alert("mass-blanking", Severity.CRITICAL, wiki, "Blanked", 42L, incident);
        // Not stored by a replica (a hand-written record): no sequence, so no id of its own.
        Alert unstored = alert("watched-user", Severity.INFO, wiki, "Written by hand", null, incident);
        double skippedBefore = Counters.sum("pulse_alerts_stream_skipped_total", "");

        try (SseTestClient client = new SseTestClient(streamUrl)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.status() == 200);
            TopicReader.produce(AlertsTest.ALERTS_TOPIC, List.of(json.writeValueAsString(spike), "not JSON {",
                    "{\"unrelated\":true}", json.writeValueAsString(spike), json.writeValueAsString(blanking),
                    json.writeValueAsString(unstored)));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(AlertsTest.streamed(client, wiki))
                    .extracting(e -> e.data().get("id").asText()).containsExactly(spike.id(), blanking.id(), unstored.id()));
            // An event without an id keeps the last one, as a browser does: a reconnect replays after 42, not after "null".
            assertThat(AlertsTest.streamed(client, wiki).get(2).id()).isEqualTo("42");
            SseTestClient.Event first = AlertsTest.streamed(client, wiki).get(0);
            assertThat(first.id()).isEqualTo("41");
            assertThat(first.data().get("rule").asText()).isEqualTo("page-spike");
            assertThat(first.data().get("severity").asText()).isEqualTo("warning");
            assertThat(first.data().get("title").asText()).isEqualTo("Edit war");
            assertThat(first.data().get("details").get("changes").asInt()).isEqualTo(25);
            assertThat(Counters.sum("pulse_alerts_stream_skipped_total", "") - skippedBefore)
                    .as("the two records that are not alerts").isEqualTo(2.0);
        }
    }

    /**
     * Where the feed starts reading a partition: after what it read of it before; else at the first
     * record stamped after the application started (not at the end, which would lose an alert raised
     * in the seconds before the first assignment); at the end when there is none.
     */
    @Test
    void shouldStartAPartitionAfterWhatItReadElseAtTheFirstAlertSinceTheStart() throws Exception {
        String topic = "alert-feed-positions-" + System.nanoTime();
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        AlertFeed feed = new AlertFeed(hub, json, new SimpleMeterRegistry());
        long now = System.currentTimeMillis();
        long beforeStart = now - Duration.ofHours(1).toMillis();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            // partition 0: one alert from before the start, one since (offset 1)
            producer.send(new ProducerRecord<>(topic, 0, beforeStart, "k", "old")).get();
            producer.send(new ProducerRecord<>(topic, 0, now, "k", "new")).get();
            // partition 1: only an alert from before the start (end: offset 1)
            producer.send(new ProducerRecord<>(topic, 1, beforeStart, "k", "old")).get();
            // partition 2: three old alerts, of which the feed read up to offset 1 before a rebalance
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, 2, beforeStart, "k", "old")).get();
            }
            feed.receive(new ConsumerRecord<>(topic, 2, 1, "k", "not an alert"));

            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                    new TopicPartition(topic, 2));
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.assign(partitions);
                feed.onPartitionsAssigned(consumer, partitions);
                // An alert appended right after the assignment, before the first poll: seekToEnd, lazy, would take
                // the end at that poll, past it.
                producer.send(new ProducerRecord<>(topic, 1, System.currentTimeMillis(), "k", "just raised")).get();
                assertThat(consumer.position(partitions.get(0))).as("the first alert since the start").isEqualTo(1);
                assertThat(consumer.position(partitions.get(1))).as("none since the start: the end, as it was").isEqualTo(1);
                assertThat(consumer.position(partitions.get(2))).as("after what the feed read").isEqualTo(2);
            }
        }
    }

    private static Alert alert(String rule, Severity severity, String wiki, String title, Long sequence, Instant incident) {
        String key = wiki + ":" + title;
        return new Alert(rule + ":" + key + "@" + incident, rule, severity, key, wiki, title, null, incident,
                incident.plusSeconds(7), "raised on another replica", Map.of("changes", 25), sequence, Instant.now());
    }
}
