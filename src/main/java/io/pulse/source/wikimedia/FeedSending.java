package io.pulse.source.wikimedia;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pulse.ingest.KafkaBatchSender;
import io.pulse.ingest.TransactionMetrics;
import io.pulse.ingest.TransactionalSending;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;

/** How the ingest's records reach Kafka: the elected leader's transactions, or the channel's own producer. */
final class FeedSending {

    private FeedSending() {
    }

    /**
     * Transactions whose id is the election's group (one per deployment: candidates share it, deployments
     * do not), with the channel's producer settings.
     */
    static TransactionalSending<String, String> transactional(Map<String, Object> producerSettings, String transactionalId,
            Duration commitInterval, Runnable onFenced, MeterRegistry registry) {
        Map<String, Object> settings = new HashMap<>(producerSettings);
        settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "pulse-ingest-" + transactionalId);
        // Kafka aborts a transaction open longer than this, and the producer's next commit then looks fenced
        // (a new epoch): as long as a send may wait out a broker outage, so that only a successor fences.
        settings.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                settings.getOrDefault(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000)); // Kafka's default
        return new TransactionalSending<>(
                () -> new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer()), commitInterval,
                onFenced, new TransactionMetrics<>(registry, Tags.of("source", WikimediaIngest.SOURCE)));
    }

    /** The channel's own (idempotent) producer, on its sending thread: where there is nobody to fence. */
    static KafkaBatchSender.SendingThread<String, String> channel(KafkaClientService kafka) {
        io.smallrye.reactive.messaging.kafka.KafkaProducer<String, String> producer = kafka
                .getProducer(WikimediaChannels.EVENTS_OUT);
        return task -> producer.runOnSendingThread(
                (Consumer<Producer<String, String>>) p -> task.accept(KafkaBatchSender.Sink.of(p)));
    }
}
