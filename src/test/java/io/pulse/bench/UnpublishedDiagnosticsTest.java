package io.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pulse.testkit.PulseInfra;

class UnpublishedDiagnosticsTest {

    @Test
    void shouldNameTheOpenTransactionThatHoldsTheRecordsBackAndDumpTheServicesThreads(@TempDir Path dir) throws Exception {
        PulseInfra infra = PulseInfra.get();
        String topic = "pulse.bench.unpublished-diagnostics";
        infra.kafka().createTopic(topic, 1);
        Path file = dir.resolve("unpublished.txt");

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "pulse-bench-held-open"), new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
            // This JVM stands in for the service: its threads are dumped the same way.
            UnpublishedDiagnostics.write(file, ProcessHandle.current().pid(), infra.bootstrapServers());
            producer.abortTransaction();
        }

        String text = Files.readString(file);
        assertThat(text).containsPattern("pulse-bench-held-open: .*state=Ongoing.*" + topic)
                .contains("Full thread dump")
                .contains("shouldNameTheOpenTransactionThatHoldsTheRecordsBackAndDumpTheServicesThreads");
    }
}
