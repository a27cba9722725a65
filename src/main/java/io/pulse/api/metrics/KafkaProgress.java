package io.pulse.api.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import io.pulse.config.KafkaClients;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;

/**
 * How many records a topic holds in all its partitions (sum of end offsets), read with the Kafka
 * admin client without blocking. The difference to the offsets committed in PostgreSQL is the
 * consumer lag of the whole stream, whichever replicas consume it.
 * <p>
 * Built at start-up: creating the admin client resolves the bootstrap hosts (a blocking DNS lookup),
 * and the first caller would otherwise be a snapshot on an event loop.
 */
@Startup
@ApplicationScoped
public class KafkaProgress {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;
    /** Partition lists are re-read now and then: scaling out adds partitions. */
    private static final long PARTITIONS_TTL_NANOS = Duration.ofSeconds(30).toNanos();

    private record Known(List<TopicPartition> partitions, long readAtNanos) {
    }

    private final Map<String, Known> partitions = new ConcurrentHashMap<>();
    /**
     * The last sum read per topic, answered while the broker cannot be read: 0 would show as nothing
     * published, then as every record published at once (a false ingest-rate spike) once it is back.
     */
    private final Map<String, EndOffsets> lastRead = new ConcurrentHashMap<>();

    public KafkaProgress(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.admin = KafkaClients.admin(kafka, "pulse-metrics", TIMEOUT);
    }

    /**
     * A topic's sum of end offsets, whether it was read now ({@code measured}) or is the last one read, and over how
     * many partitions: partitions added to the topic (a scale-out) join the sum at once, with all they hold.
     */
    public record EndOffsets(long sum, boolean measured, int partitions, boolean known) {

        public EndOffsets(long sum, boolean measured, int partitions) {
            this(sum, measured, partitions, true);
        }

        /** Never read since the start: no sum to answer, not even 0 (a counter that went back to it). */
        static EndOffsets unknown() {
            return new EndOffsets(0, false, 0, false);
        }

        /** The sum, read now or last; null when it was never read. */
        public Long knownSum() {
            return known ? Long.valueOf(sum) : null;
        }
    }

    /**
     * Sum of the topic's end offsets; 0 while the topic does not exist yet. A failed or timed-out read
     * answers the last sum read, not measured, or none ({@link EndOffsets#unknown()}) if none was: a replica started
     * while the broker could not be read showed 0 dead letters and 0 published, counters gone back.
     */
    public Uni<EndOffsets> endOffsets(String topic) {
        return partitionsOf(topic)
                .chain(tps -> {
                    if (tps.isEmpty()) {
                        return Uni.createFrom().item(new EndOffsets(0, true, 0));
                    }
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    tps.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                    return Uni.createFrom().completionStage(admin.listOffsets(latest).all().toCompletionStage())
                            .map(result -> new EndOffsets(result.values().stream().mapToLong(r -> r.offset()).sum(), true,
                                    tps.size()));
                })
                .invoke(ends -> lastRead.put(topic, ends))
                .onFailure().invoke(f -> partitions.remove(topic)) // partitions may have been added
                .onFailure().recoverWithItem(() -> {
                    EndOffsets last = lastRead.get(topic);
                    return last == null ? EndOffsets.unknown() : new EndOffsets(last.sum(), false, last.partitions());
                });
    }

    private Uni<List<TopicPartition>> partitionsOf(String topic) {
        Known known = partitions.get(topic);
        if (known != null && System.nanoTime() - known.readAtNanos() < PARTITIONS_TTL_NANOS) {
            return Uni.createFrom().item(known.partitions());
        }
        return Uni.createFrom().completionStage(admin.describeTopics(List.of(topic)).allTopicNames().toCompletionStage())
                .map(d -> d.get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList())
                .invoke(tps -> partitions.put(topic, new Known(tps, System.nanoTime())))
                // Only a topic that does not exist has no partitions; any other failure is a failed read.
                .onFailure(UnknownTopicOrPartitionException.class).recoverWithItem(List.of());
    }

    @PreDestroy
    void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
