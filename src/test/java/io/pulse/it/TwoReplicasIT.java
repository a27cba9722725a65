package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

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
 * metrics and alerts for the whole of it.
 */
class TwoReplicasIT {

    /** A topic and group of its own: other tests' processes auto-create the default topic with one partition. */
    static final String TOPIC = "pulse.replicas.recentchange";
    static final String GROUP = "pulse-replicas";
    static final String ADMIN_KEY = "replicas-admin-key";
    /** Events written to the topic by all the tests of this class, in whatever order they run. */
    static final AtomicInteger produced = new AtomicInteger();
    static PulseInfra infra;
    static final List<PulseProcess> replicas = new ArrayList<>();

    @BeforeAll
    static void startTwoReplicas() throws Exception {
        infra = PulseInfra.get();
        infra.kafka().createTopic(TOPIC, 4);
        for (int i = 0; i < 2; i++) {
            replicas.add(PulseProcess.aggregator("replica-" + i).consuming(TOPIC, GROUP)
                    .env("PULSE_ADMIN_API_KEY", ADMIN_KEY).property("pulse.alert.check-interval", "500ms").launch());
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
        produced.addAndGet(events);

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
        assertThat(total).as("every event of the topic, this test's and the others'").isEqualTo(produced.get());
    }

    /**
     * A browser connected to either replica sees every alert, though each replica raises only those of
     * its own partitions: one watched user's change in each of the four partitions, so both raise some.
     */
    @Test
    void shouldStreamTheAlertsOfBothReplicasFromEither() throws Exception {
        String wiki = "replicaalertwiki";
        List<String> users = List.of("Replica watcher 0", "Replica watcher 1", "Replica watcher 2", "Replica watcher 3");
        String rule = "/api/alerts/rules/watched-user";
        assertThat(replicas.get(0).putAsAdmin(rule, "{\"users\": [\"" + String.join("\", \"", users) + "\"]}", ADMIN_KEY)
                .statusCode()).isEqualTo(200);
        List<SseTestClient> clients = replicas.stream().map(r -> new SseTestClient(r.url("/alerts/stream"))).toList();
        try {
            for (PulseProcess r : replicas) { // the other replica re-reads the stored rule within its check interval
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> r.get("/api/alerts/rules").body().contains(users.get(3)));
            }
            long now = Instant.now().getEpochSecond();
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                for (int partition = 0; partition < 4; partition++) {
                    String title = "Watched page " + partition;
                    String event = DeadLetterTest.event("replica-alert-" + partition + "-" + now, wiki, now)
                            .replace("\"title\":\"Dead letters\"", "\"title\":\"" + title + "\"")
                            .replace("\"user\":\"Tester\"", "\"user\":\"" + users.get(partition) + "\"");
                    producer.send(new ProducerRecord<>(TOPIC, partition, wiki + ":" + title, event));
                }
            }
            produced.addAndGet(users.size());
            for (SseTestClient client : clients) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(AlertsTest.streamed(client, wiki))
                        .extracting(e -> e.data().get("user").asText()).containsExactlyInAnyOrderElementsOf(users));
            }
            // Each replica raised part of them: what each stream showed is not one replica's own.
            long raised = 0;
            for (PulseProcess r : replicas) {
                long own = (long) Counters.sum(r.get("/q/metrics").body(), "pulse_alerts_raised_total",
                        "rule=\"watched-user\"");
                assertThat(own).as("alerts raised by the replica on port %d", r.port()).isPositive();
                raised += own;
            }
            assertThat(raised).isEqualTo(users.size());
        } finally {
            clients.forEach(SseTestClient::close);
            replicas.get(0).putAsAdmin(rule, "{\"users\": []}", ADMIN_KEY); // leave no watched users to the next tests
        }
    }
}
