package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pulse.testkit.PulseInfra;

/**
 * Two Pulse processes (the packaged application) in one consumer group on a four-partition topic,
 * sharing one broker and one database: each aggregates part of the stream, and each serves
 * metrics for the whole of it.
 */
class TwoReplicasIT {

    static final String TOPIC = "pulse.wikimedia.recentchange";
    static final ObjectMapper JSON = new ObjectMapper();
    static PulseInfra infra;
    static final List<Replica> replicas = new ArrayList<>();

    record Replica(Process process, int port, Path log) {
        String url(String path) {
            return "http://localhost:" + port + path;
        }
    }

    @BeforeAll
    static void startTwoReplicas() throws Exception {
        infra = PulseInfra.get();
        infra.kafka().createTopic(TOPIC, 4);
        for (int i = 0; i < 2; i++) {
            replicas.add(launch(i));
        }
        for (Replica r : replicas) {
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                    .until(() -> get(r.url("/q/health/ready")).statusCode() == 200);
        }
        // Ready is not enough: wait until the group has settled with partitions on both members.
        try (Admin admin = infra.kafka().admin()) {
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("pulse-aggregator"))
                        .describedGroups().get("pulse-aggregator").get();
                return group.members().size() == 2
                        && group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
            });
        }
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        for (Replica r : replicas) {
            r.process().destroy();
            r.process().waitFor();
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
        for (Replica r : replicas) {
            long committed = pipelineData(r).get("aggregator.committedEvents").asLong();
            assertThat(committed).as("replica on port %d aggregated some events", r.port()).isPositive();
            total += committed;
        }
        assertThat(total).isEqualTo(events);
    }

    private static JsonNode pipelineData(Replica r) throws Exception {
        JsonNode health = JSON.readTree(get(r.url("/q/health/ready")).body());
        for (JsonNode check : health.get("checks")) {
            if ("pulse-pipeline".equals(check.get("name").asText())) {
                return check.get("data");
            }
        }
        throw new AssertionError("no pulse-pipeline check");
    }

    private static Replica launch(int index) throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = Path.of("target", "replica-" + index + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("KAFKA_BOOTSTRAP_SERVERS", infra.bootstrapServers());
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", infra.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", infra.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", infra.postgres().username());
        env.put("PULSE_WIKIMEDIA_ENABLED", "false");
        env.put("PULSE_METRICS_INTERVAL", "200ms");
        if (!new File("target/quarkus-app/quarkus-run.jar").exists()) {
            throw new IllegalStateException("Package the application first (mvn verify runs this after package)");
        }
        return new Replica(builder.start(), port, log);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
