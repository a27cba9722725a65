package io.pulse.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The benchmark's broker in a JVM of its own: it serves, it is another process, and it cleans up when stopped. */
class BrokerJvmTest {

    @Test
    void shouldServeFromAnotherProcessAndDeleteItsDataWhenTerminated() throws Exception {
        LocalKafka kafka = LocalKafka.inOwnJvm(List.of("-Xmx256m"), Path.of("target/broker-jvm-test.log"));
        ProcessHandle broker = ProcessHandle.of(kafka.processId()).orElseThrow();
        try {
            assertThat(kafka.processId()).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(broker.parent().map(ProcessHandle::pid)).contains(ProcessHandle.current().pid());
            assertThat(kafka.logDir()).exists();

            String topic = "own-jvm-" + UUID.randomUUID();
            kafka.createTopic(topic, 2);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new StringSerializer());
                    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                            ConsumerConfig.GROUP_ID_CONFIG, "own-jvm", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                            new StringDeserializer(), new StringDeserializer())) {
                producer.send(new ProducerRecord<>(topic, "k", "across processes")).get(30, TimeUnit.SECONDS);
                consumer.subscribe(List.of(topic));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                        return record.value().equals("across processes");
                    }
                    return false;
                });
            }
            assertThatThrownBy(kafka::restart).isInstanceOf(UnsupportedOperationException.class);
        } finally {
            broker.destroy(); // SIGTERM, as the harness's exit sends
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !broker.isAlive());
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(kafka.logDir()));
    }

    @Test
    void shouldFailAtOnceWhenTheBrokersJvmCannotStart() {
        Path log = Path.of("target/broker-jvm-test-refused.log");
        assertThatThrownBy(() -> LocalKafka.inOwnJvm(List.of("-XX:+NoSuchOptionForPulse"), log))
                .hasMessageContaining("the broker's JVM exited");
        assertThat(log).content().contains("NoSuchOptionForPulse");
    }
}
