package io.pulse.alert;

import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * On assignment, after the aggregator's consumer was positioned at the offsets stored in PostgreSQL:
 * fresh rule state for each partition and a seek back by {@code pulse.alert.warm-up} (by Kafka record
 * time) before each stored offset, so the spike rule's baselines are rebuilt from the records the
 * previous owner saw. Without it a restart would judge the next windows against an empty baseline.
 * The aggregator skips those records (they were counted); the rules raise nothing for them.
 * Runs on the Kafka polling thread, where blocking calls are allowed.
 */
@ApplicationScoped
public class WarmUp {

    private static final Logger LOG = Logger.getLogger(WarmUp.class);

    private final AlertPartitions partitions;
    private final AlertConfig config;
    private final Clock clock;

    @Inject
    public WarmUp(AlertPartitions partitions, AlertConfig config) {
        this.partitions = partitions;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    /** @param stored the stored offset of each assigned partition that has one */
    public void assigned(Consumer<?, ?> consumer, String topic, Collection<Integer> assigned, Map<Integer, Long> stored) {
        assigned.forEach(partitions::assigned);
        if (!config.enabled() || stored.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> storedOffsets = new HashMap<>();
        Map<TopicPartition, Long> since = new HashMap<>();
        stored.forEach((partition, offset) -> {
            storedOffsets.put(new TopicPartition(topic, partition), offset);
            since.put(new TopicPartition(topic, partition), clock.millis() - config.warmUp().toMillis());
        });
        try {
            var starts = warmUpStarts(storedOffsets, consumer.offsetsForTimes(since));
            starts.forEach(consumer::seek);
            LOG.infof("Alerting on %s %s; warming up from %s", topic, assigned, starts);
        } catch (RuntimeException e) {
            LOG.warnf("No warm-up for %s %s (%s): spike baselines start empty", topic, assigned, e.toString());
        }
    }

    /** Where to start reading: the first record of the warm-up span, when it lies before the stored offset. */
    static Map<TopicPartition, Long> warmUpStarts(Map<TopicPartition, Long> stored,
            Map<TopicPartition, OffsetAndTimestamp> atWarmUpStart) {
        Map<TopicPartition, Long> starts = new HashMap<>();
        stored.forEach((tp, offset) -> {
            OffsetAndTimestamp first = atWarmUpStart == null ? null : atWarmUpStart.get(tp);
            if (first != null && first.offset() < offset) {
                starts.put(tp, first.offset());
            }
        });
        return starts;
    }
}
