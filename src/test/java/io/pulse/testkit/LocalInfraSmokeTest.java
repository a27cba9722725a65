package io.pulse.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves the local infrastructure works for real, including the restarts that fault-injection tests
 * rely on. It restarts what it starts, so it owns a broker and a cluster of its own: the shared ones
 * serve a running Quarkus application that must not see these outages.
 */
class LocalInfraSmokeTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String DATABASE = "smoke";

    private static LocalKafka kafka;
    private static LocalPostgres postgres;

    @BeforeAll
    static void startInfra() {
        kafka = LocalKafka.throwaway().start();
        postgres = LocalPostgres.throwaway().start();
        postgres.createDatabase(DATABASE);
    }

    @AfterAll
    static void stopInfra() {
        kafka.close();
        postgres.close();
    }

    @Test
    void kafkaDeliversRecordsBeforeAndAfterABrokerRestart() throws Exception {
        String topic = "smoke-" + UUID.randomUUID();
        kafka.createTopic(topic, 3);
        try (Admin admin = kafka.admin()) {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS);
            assertEquals(3, description.get(topic).partitions().size());
        }
        try (var producer = producer(); var consumer = consumer()) {
            consumer.subscribe(List.of(topic));
            producer.send(new ProducerRecord<>(topic, "k1", "before-restart")).get(30, TimeUnit.SECONDS);
            assertEquals("before-restart", pollUntilValue(consumer).value());

            kafka.restart();

            // The same clients must reconnect by themselves, as the application's clients will.
            producer.send(new ProducerRecord<>(topic, "k2", "after-restart")).get(60, TimeUnit.SECONDS);
            assertEquals("after-restart", pollUntilValue(consumer).value());
        }
    }

    @Test
    void postgresServesTheFreshDatabaseAndSurvivesARestart() throws Exception {
        try (Connection c = postgres.connect(DATABASE); Statement s = c.createStatement()) {
            assertEquals(1, singleInt(s, "SELECT 1"));
            assertEquals(DATABASE, singleString(s, "SELECT current_database()"));
            s.execute("CREATE TABLE smoke (id int PRIMARY KEY, note text NOT NULL)");
            s.execute("INSERT INTO smoke VALUES (1, 'hello'), (2, 'world')");
            assertEquals("hello world", singleString(s, "SELECT string_agg(note, ' ' ORDER BY id) FROM smoke"));
        }

        postgres.stop();
        assertThrows(SQLException.class, () -> postgres.connect(DATABASE).close());
        postgres.start();

        try (Connection c = postgres.connect(DATABASE); Statement s = c.createStatement()) {
            assertEquals(2, singleInt(s, "SELECT count(*) FROM smoke"));
            s.execute("DROP TABLE smoke");
        }
    }

    private static ConsumerRecord<String, String> pollUntilValue(KafkaConsumer<String, String> consumer) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                return record;
            }
        }
        throw new AssertionError("No record consumed within " + DEADLINE);
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer());
    }

    private static int singleInt(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getInt(1);
        }
    }

    private static String singleString(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
