package io.pulse.aggregate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.pulse.config.KafkaClients;
import io.pulse.source.wikimedia.RecentChangeParser;
import io.pulse.source.wikimedia.WikimediaChannels;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Reads a range of the events topic again, with a consumer of its own (assigned, no group), for
 * records PostgreSQL lost after acknowledging them ({@link io.pulse.store.KnownOffsets}). The channel's
 * consumer is left where it is: its position and the batches it already fetched stay valid. Rare, so a
 * consumer per range; blocking, so on a worker thread.
 */
@ApplicationScoped
public class RecordRereader {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final Map<String, Object> config;
    private final String topic;
    private final RecentChangeParser parser;

    public RecordRereader(@Identifier("default-kafka-broker") Map<String, Object> kafka, RecentChangeParser parser,
            @ConfigProperty(name = "mp.messaging.incoming." + WikimediaChannels.EVENTS_IN + ".topic") String topic) {
        this.config = KafkaClients.committedReader(kafka, "pulse-reread");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"); // the oldest kept if the range is older
        this.topic = topic;
        this.parser = parser;
    }

    /**
     * The records read again, and the first offset of the range Kafka still held: the offsets below it were deleted
     * (retention) before PostgreSQL's loss was noticed, and cannot be counted again.
     */
    public record Reread(List<ConsumedRecord> records, long firstHeld) {
    }

    public Uni<Reread> reread(int partition, long from, long to) {
        return Uni.createFrom().item(() -> read(partition, from, to))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Reread read(int partition, long from, long to) {
        TopicPartition tp = new TopicPartition(topic, partition);
        List<ConsumedRecord> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            // Seeking below it, the consumer would move up to it (auto.offset.reset), and the gap go unsaid.
            long first = consumer.beginningOffsets(List.of(tp), PATIENCE).getOrDefault(tp, 0L);
            long firstHeld = Math.min(to, Math.max(from, first));
            if (firstHeld >= to) {
                return new Reread(records, firstHeld);
            }
            consumer.seek(tp, firstHeld);
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            // The position passes offsets without records too (transaction markers, compacted ones).
            while (consumer.position(tp) < to) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read offsets " + from + " to " + (to - 1) + " of " + tp
                            + " again within " + PATIENCE.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500)).records(tp)) {
                    if (r.offset() < to) {
                        records.add(new ConsumedRecord(partition, r.offset(), r.key(), r.value(), parser.parse(r.value()),
                                ConsumedRecord.timestamp(r.timestamp())));
                    }
                }
            }
            return new Reread(records, firstHeld);
        }
    }
}
