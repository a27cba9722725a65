package io.pulse.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.LocalKafka;

/**
 * The end offsets read against a real broker: a read that fails (the broker is down) keeps the last
 * sum instead of 0, which /metrics/stream would show as published 0 and, once the broker is back, as
 * a false spike of the ingest rate.
 */
class KafkaProgressTest {

    private static final String TOPIC = "progress-events";
    private static final int RECORDS = 7;
    /** Longer than a failed read takes: the admin client gives up after KafkaProgress' 5 s timeout. */
    private static final Duration READ = Duration.ofSeconds(30);

    @Test
    void shouldKeepTheLastEndOffsetsWhileTheBrokerIsDown() throws Exception {
        try (LocalKafka kafka = LocalKafka.throwaway().start()) {
            kafka.createTopic(TOPIC, 2);
            produce(kafka.bootstrapServers(), TOPIC, RECORDS);
            KafkaProgress progress = new KafkaProgress(Map.of("bootstrap.servers", kafka.bootstrapServers()));
            try {
                assertThat(progress.endOffsets(TOPIC).await().atMost(READ))
                        .isEqualTo(new KafkaProgress.EndOffsets(RECORDS, true, 2));
                assertThat(progress.endOffsets("progress-never-created").await().atMost(READ))
                        .as("a topic that does not exist yet").isEqualTo(new KafkaProgress.EndOffsets(0, true, 0));

                kafka.stop();
                // The first read fails at listOffsets (partitions cached), the second at describeTopics
                // (the failure dropped the cached partitions): neither may read 0.
                // Not measured: a rate over them would be false (RateOverSpan).
                assertThat(progress.endOffsets(TOPIC).await().atMost(READ)).as("listOffsets failed")
                        .isEqualTo(new KafkaProgress.EndOffsets(RECORDS, false, 2));
                assertThat(progress.endOffsets(TOPIC).await().atMost(READ)).as("describeTopics failed")
                        .isEqualTo(new KafkaProgress.EndOffsets(RECORDS, false, 2));
            } finally {
                progress.close();
            }
        }
    }

    /**
     * Started while the broker cannot be read: no sum was ever read, and none is answered. It answered 0, and a replica
     * started then showed 0 published and 0 dead letters, counters gone back from what the others showed.
     */
    @Test
    void shouldAnswerNoSumWhenNoneWasEverRead() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort(); // closed: nothing listens there
        }
        KafkaProgress progress = new KafkaProgress(Map.of("bootstrap.servers", "127.0.0.1:" + port));
        try {
            KafkaProgress.EndOffsets ends = progress.endOffsets(TOPIC).await().atMost(READ);

            assertThat(ends.measured()).isFalse();
            assertThat(ends.knownSum()).isNull();
        } finally {
            progress.close();
        }
    }

    /** Records spread over both partitions, each acknowledged by the broker. */
    private static void produce(String bootstrap, String topic, int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, null, "event-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
    }
}
