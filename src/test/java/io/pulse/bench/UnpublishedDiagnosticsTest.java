package io.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

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
        // Stands in for the service's management endpoints: what the diagnostics read from it, and what they keep.
        Map<String, String> answers = Map.of(
                "/q/health", "{\"status\": \"UP\", \"checks\": [{\"data\": {\"ingest.stalled\": \"PT0S\"}}]}",
                "/q/metrics", "jvm_threads_live_threads 40.0\npulse_ingest_events_total{outcome=\"published\"} 7.0\n");

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "pulse-bench-held-open"), new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
            producer.send(new ProducerRecord<>(topic, "k", "w")).get();
            // This JVM stands in for the service: its heap and threads are dumped the same way.
            UnpublishedDiagnostics.write(file, ProcessHandle.current().pid(), answers::get, infra.bootstrapServers(), topic);
            producer.abortTransaction();
        }

        String text = Files.readString(file);
        assertThat(text).containsPattern(topic + "-0: (\\d+) / (\\d+) \\(2 offsets held back by a transaction\\)")
                .containsPattern("pulse-bench-held-open: .*state=Ongoing.*" + topic)
                .contains("\"ingest.stalled\": \"PT0S\"")
                .contains("pulse_ingest_events_total{outcome=\"published\"} 7.0")
                .doesNotContain("jvm_threads_live_threads")
                .containsPattern("io\\.pulse\\.testkit\\.PulseInfra\\b")
                .contains("Full thread dump")
                .contains("shouldNameTheOpenTransactionThatHoldsTheRecordsBackAndDumpTheServicesThreads");
    }

    @Test
    void shouldKeepTheHistogramsTopRowsAndEveryRowOfAClassThatCanHoldAnEvent() {
        String histogram = "12345:\n num     #instances         #bytes  class name (module)\n-------\n"
                + IntStream.rangeClosed(1, 40).mapToObj(i -> String.format("%4d: %12d %14d  com.example.Filler%d", i, 100 - i, 1000 - i, i))
                        .collect(Collectors.joining("\n"))
                + "\n  41:          6355         508400  io.pulse.ingest.SseEvent\n"
                + "  42:            12            384  org.apache.kafka.clients.producer.internals.ProducerBatch\n"
                + "  43:             1             16  com.example.Unrelated\n"
                + "Total         123456       98765432\n";

        String kept = UnpublishedDiagnostics.histogram(histogram);

        assertThat(kept).contains("com.example.Filler30").doesNotContain("com.example.Filler31")
                .contains("io.pulse.ingest.SseEvent").contains("ProducerBatch").doesNotContain("Unrelated")
                .contains("Total         123456");
    }
}
